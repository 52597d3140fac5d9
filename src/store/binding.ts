/**
 * The chat bound by the setup wizard (src/setup/): `chat.json` in DATA_DIR, beside the store's files, written once
 * when a person proved with the one-time code that the chat is theirs. TELEGRAM_CHAT_ID, when set, wins over it.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { jsonFile } from './files.ts';
import { StoreError } from './errors.ts';

export const BINDING_FILE = 'chat.json';

const bindingShape = z.object({
  /** A forum supergroup (negative) or a user's private chat with the bot (positive). */
  chatId: z.number().int(),
  kind: z.enum(['group', 'private']),
  title: z.string().optional(),
  /** Who sent the code. */
  boundBy: z.number().int().optional(),
  boundAt: z.string(),
});

export type ChatBinding = z.infer<typeof bindingShape>;

/** The bound chat, or undefined when none was bound. A file that is there but unreadable is an error to fix. */
export async function readBinding(dataDir: string): Promise<ChatBinding | undefined> {
  const file = path.join(dataDir, BINDING_FILE);
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StoreError(`${file} cannot be read (${(err as Error).message}): fix its permissions`, file, {
      cause: err,
    });
  }
  const parsed = bindingShape.safeParse(safeJson(raw));
  if (!parsed.success) {
    throw new StoreError(
      `${file} is not a chat binding marketgram wrote: delete it to run the setup again, or set TELEGRAM_CHAT_ID`,
      file,
    );
  }
  return parsed.data;
}

/** Writes the binding (atomically: a crash leaves the old file or the new one). */
export async function writeBinding(dataDir: string, binding: ChatBinding): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const db = jsonFile<ChatBinding>(path.join(dataDir, BINDING_FILE), binding);
  await db.write();
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
