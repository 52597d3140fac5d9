/**
 * The last good copy of each store file, kept beside it as `<file>.bak`, and the refusals that send the
 * user to it. Copies are taken at open only after every file was read and checked, so a damaged file never
 * overwrites its own good copy; a refusal names a `.bak` only when one exists.
 */
import { copyFile, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { StoreError } from './errors.ts';
import { JOURNAL_FILE, OLD_JOURNAL_FILE, SHARD_DIR, SHARD_NAME, STORE_FILE } from './layout.ts';

/** Copies every store file to `<file>.bak` (the last good copies) and drops backups of files that are gone. */
export async function backup(dir: string): Promise<void> {
  await copyFile(path.join(dir, STORE_FILE), path.join(dir, `${STORE_FILE}.bak`));
  const shardDir = path.join(dir, SHARD_DIR);
  const names = new Set(await readdir(shardDir));
  const ours = (name: string) => SHARD_NAME.test(name) || name === JOURNAL_FILE || name === OLD_JOURNAL_FILE;
  for (const name of names) {
    if (ours(name)) await copyFile(path.join(shardDir, name), path.join(shardDir, `${name}.bak`));
    else if (name.endsWith('.bak') && ours(name.slice(0, -4)) && !names.has(name.slice(0, -4)))
      await rm(path.join(shardDir, name));
  }
}

/** A file that has a schema version nowhere: not ours. */
export function noSchemaVersion(file: string): StoreError {
  return new StoreError(
    `The store ${file} does not look like a marketgram store (no schema version). It was left untouched. ` +
      `Restore ${file}.bak or move the file away to start afresh.`,
    file,
  );
}

/** A file whose content does not have the shape of ours; `detail` is the first zod issue. */
export function notOurs(file: string, detail: string | undefined): StoreError {
  return new StoreError(
    `The store file ${file} does not look like a marketgram store (${detail ?? 'wrong shape'}). ` +
      `It was left untouched. Restore ${file}.bak or move the data directory away to start afresh.`,
    file,
  );
}

/** A file that cannot be read or is not JSON. */
export function unreadable(file: string, cause: unknown): StoreError {
  return new StoreError(
    `The store file ${file} cannot be read (${(cause as Error).message}). It was left untouched. ` +
      `Restore the last good copy (${file}.bak) or move the data directory away to start afresh.`,
    file,
    { cause },
  );
}

/** A refusal that names a `.bak` nobody has made yet (the file is newer than the last start) says so instead. */
export async function withoutMissingBackup(err: unknown): Promise<unknown> {
  if (!(err instanceof StoreError) || !err.message.includes(`${err.file}.bak`)) return err;
  const hasBackup = await stat(`${err.file}.bak`).then(
    () => true,
    () => false,
  );
  if (hasBackup) return err;
  const message = err.message
    .replace(/Restore the last good copy \([^)]*\) or move/, 'It has no backup yet: move')
    .replace(/Restore \S+\.bak or move/, 'It has no backup yet: move');
  return new StoreError(message, err.file, { cause: err.cause });
}
