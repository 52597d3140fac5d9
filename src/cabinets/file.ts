/**
 * CABINETS_FILE: the cabinets one process serves, read from a YAML or JSON file (JSON is YAML). Each entry names
 * the cabinet (a slug: its store directory under DATA_DIR, its `cabinet` metric label, its prefix in a shared
 * group), its API key (or the environment variable holding it), its business id and its Telegram chat. Every
 * problem names the file, the entry and the field.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { businessId, chatId } from '../required-settings.ts';

/** One cabinet as the process serves it; the key is resolved from the environment when the file names a variable. */
export interface CabinetSetting {
  /** A slug (lower-case letters, digits, `-`, `_`): unique among the cabinets. */
  name: string;
  apiKey: string;
  businessId: number;
  /** The Telegram chat of the cabinet: its own group, or one it shares with other cabinets. */
  chatId: number;
}

const SLUG = /^[a-z0-9][a-z0-9_-]{0,31}$/;

const entrySchema = z
  .object({
    name: z
      .string()
      .regex(SLUG, { error: 'must be a slug: lower-case letters, digits, - and _, at most 32, like shop-a' }),
    apiKey: z.string().trim().min(1, { error: 'must not be empty' }).optional(),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be the name of an environment variable' })
      .optional(),
    businessId: z.union([z.number(), z.string()]).transform(String).pipe(businessId('businessId', 'the cabinet id')),
    chatId: z
      .union([z.number(), z.string()])
      .transform(String)
      .pipe(chatId('chatId', 'the forum supergroup id, -100…')),
  })
  .strict();

/** CABINETS_FILE cannot be used; `problems` each name the entry and the field. */
export class CabinetsFileError extends Error {
  readonly code = 'CABINETS_FILE_INVALID';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`CABINETS_FILE ${file}: ${problems.join('; ')}`);
    this.name = 'CabinetsFileError';
  }
}

/** Reads and checks CABINETS_FILE; `env` resolves `apiKeyEnv`. Throws CabinetsFileError. */
export function readCabinetsFile(file: string, env: Record<string, string | undefined>): CabinetSetting[] {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CabinetsFileError(file, [`cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`]);
  }
  let data: unknown;
  try {
    data = parseYaml(content);
  } catch (err) {
    throw new CabinetsFileError(file, [`is not valid YAML or JSON (${(err as Error).message.split('\n')[0]})`]);
  }
  return parseCabinets(file, data, env);
}

/** Checks the file's content: a non-empty list of entries (or `{ cabinets: [...] }`). */
export function parseCabinets(file: string, data: unknown, env: Record<string, string | undefined>): CabinetSetting[] {
  const list =
    data !== null && typeof data === 'object' && !Array.isArray(data) && 'cabinets' in data ? data.cabinets : data;
  if (!Array.isArray(list) || list.length === 0)
    throw new CabinetsFileError(file, [
      'must be a non-empty list of cabinets (name, apiKey or apiKeyEnv, businessId, chatId)',
    ]);
  const problems: string[] = [];
  const cabinets: CabinetSetting[] = [];
  list.forEach((raw: unknown, i) => {
    const label =
      raw !== null && typeof raw === 'object' && 'name' in raw && typeof raw.name === 'string'
        ? `entry ${i + 1} (${raw.name})`
        : `entry ${i + 1}`;
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        if (issue.code === 'unrecognized_keys') {
          problems.push(
            `${label}: unknown field ${issue.keys.join(', ')} (the fields are name, apiKey or apiKeyEnv, businessId, chatId)`,
          );
          continue;
        }
        const field = issue.path.join('.') || 'entry';
        const message = issue.message.startsWith(`${field} `) ? issue.message : `${field} ${issue.message}`;
        problems.push(`${label}: ${message}`);
      }
      return;
    }
    const e = parsed.data;
    if ((e.apiKey === undefined) === (e.apiKeyEnv === undefined)) {
      problems.push(`${label}: give either apiKey or apiKeyEnv (the environment variable holding the key), not both`);
      return;
    }
    const apiKey = e.apiKey ?? env[e.apiKeyEnv!]?.trim();
    if (!apiKey) {
      problems.push(`${label}: apiKeyEnv names ${e.apiKeyEnv}, which is not set in the environment`);
      return;
    }
    if (cabinets.some((c) => c.name === e.name)) {
      problems.push(`${label}: name ${e.name} is used by another entry; each cabinet needs its own`);
      return;
    }
    if (cabinets.some((c) => c.businessId === e.businessId)) {
      problems.push(`${label}: businessId ${e.businessId} is listed twice; one cabinet is served once`);
      return;
    }
    cabinets.push({ name: e.name, apiKey, businessId: e.businessId, chatId: e.chatId });
  });
  if (problems.length > 0) throw new CabinetsFileError(file, problems);
  return cabinets;
}
