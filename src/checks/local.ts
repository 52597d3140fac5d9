/**
 * The checks on this host: DATA_DIR can be written, no running marketgram holds it (its lock, judged as the
 * store judges it), the store in it can be read (read and checked by the store's own readers, without the
 * lock and without writing), and TEMPLATES_FILE can be used.
 */
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readTemplatesFile } from '../app/templates.ts';
import { withoutMissingBackup } from '../store/backup.ts';
import { StoreError } from '../store/errors.ts';
import { exists, readMeta, readShards } from '../store/files.ts';
import { replayJournals } from '../store/journal.ts';
import { SHARD_DIR, STORE_FILE } from '../store/layout.ts';
import { inspectLock } from '../store/lock.ts';
import { TemplatesFileError, type SeedTemplate } from '../templates/seed-file.ts';
import { fail, pass, skip, type CheckResult } from './check.ts';

export const LOCAL_CHECKS = {
  dataDir: 'DATA_DIR writable',
  lock: 'DATA_DIR not in use',
  store: 'store readable',
  templates: 'TEMPLATES_FILE',
} as const;

/** DATA_DIR is a directory this process may write (or one it may create). */
export async function dataDirCheck(dataDir: string): Promise<CheckResult> {
  const name = LOCAL_CHECKS.dataDir;
  const dir = path.resolve(dataDir);
  const cannot = (what: string) =>
    fail(
      name,
      `DATA_DIR ${dir} ${what}`,
      'set DATA_DIR to a directory the user running marketgram may write, or fix its permissions.',
    );
  try {
    const found = await nearestExisting(dir);
    if (!(await stat(found)).isDirectory()) {
      return cannot(found === dir ? 'is not a directory' : `cannot be created: ${found} is a file`);
    }
    if (found !== dir) {
      await access(found, constants.W_OK);
      return pass(name, `${dir} does not exist yet; marketgram creates it (${found} is writable)`);
    }
    await probeWrite(dir);
    const shards = path.join(dir, SHARD_DIR);
    if (await exists(shards)) await probeWrite(shards);
    return pass(name, `${dir} is writable`);
  } catch (err) {
    return cannot(`cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** `dir` itself, or the closest of its parents that exists. */
async function nearestExisting(dir: string): Promise<string> {
  for (let at = dir; ; at = path.dirname(at)) {
    try {
      await stat(at);
      return at;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || path.dirname(at) === at) throw err;
    }
  }
}

/** Writes and removes a file of its own: the test of a directory that permissions and full disks cannot fool. */
async function probeWrite(dir: string): Promise<void> {
  const file = path.join(dir, `.doctor-${randomUUID()}`);
  await writeFile(file, 'marketgram doctor');
  await rm(file, { force: true });
}

/** No live marketgram holds DATA_DIR's lock; `running` says whether one does. */
export async function lockCheck(dataDir: string): Promise<{ result: CheckResult; running: boolean }> {
  const name = LOCAL_CHECKS.lock;
  const dir = path.resolve(dataDir);
  try {
    const lock = await inspectLock(dir);
    if (lock.state === 'free') return { result: pass(name, 'no marketgram is running on it'), running: false };
    if (lock.state === 'stale') {
      const detail = `no marketgram is running on it; ${lock.file} is left from one that stopped (${lock.who}), and the next start takes it over`;
      return { result: pass(name, detail), running: false };
    }
    const result = fail(
      name,
      `a marketgram is running on it (${lock.who}), so another start would wait for it and then give up`,
      `stop it before starting another (two would post every message twice), or give this one its own DATA_DIR. If none runs, delete ${lock.file}.`,
    );
    return { result, running: true };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return {
      result: fail(name, `the lock in ${dir} cannot be read (${code})`, 'fix the permissions of DATA_DIR.'),
      running: false,
    };
  }
}

/** The store's files are read and checked as a start reads them; nothing is written and the lock is not taken. */
export async function storeCheck(dataDir: string): Promise<CheckResult> {
  const name = LOCAL_CHECKS.store;
  const dir = path.resolve(dataDir);
  try {
    const { existed, meta, migratedChats } = await readMeta(path.join(dir, STORE_FILE), () => new Date());
    const chats = new Set(Object.values(migratedChats ?? {}).map((c) => c.marketChatId));
    if (await exists(path.join(dir, SHARD_DIR))) {
      for await (const shard of readShards(dir)) for (const c of shard.chats) chats.add(c.marketChatId);
    }
    const torn = await replayJournals(dir, (c) => chats.add(c.marketChatId));
    if (!existed && chats.size === 0) return pass(name, 'no store yet: marketgram creates one at its first start');
    const version = migratedChats ? 'schema version 1, migrated at the next start' : 'the current schema';
    const tornNote = torn > 0 ? `; ${torn} torn journal line(s) are skipped at start` : '';
    const replies = Object.keys(meta.data.replies).length;
    return pass(name, `${chats.size} chat(s) and ${replies} reply(ies) on their way, ${version}${tornNote}`);
  } catch (err) {
    const refusal = await withoutMissingBackup(err);
    if (refusal instanceof StoreError) return fail(name, refusal.message, undefined, { cause: refusal });
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return fail(name, `the store in ${dir} cannot be read (${code})`, 'fix the permissions of DATA_DIR.');
  }
}

/** TEMPLATES_FILE, read and checked as a start reads it; `seeds` are its quick replies (none when unset). */
export async function templatesCheck(
  file: string | undefined,
): Promise<{ result: CheckResult; seeds: SeedTemplate[] }> {
  const name = LOCAL_CHECKS.templates;
  if (file === undefined) return { result: skip(name, 'not set: no quick replies from a file'), seeds: [] };
  try {
    const seeds = await readTemplatesFile(file);
    return { result: pass(name, `${seeds.length} quick reply(ies) in ${file}`), seeds };
  } catch (err) {
    if (!(err instanceof TemplatesFileError)) throw err;
    const result = fail(
      name,
      `TEMPLATES_FILE ${file} cannot be used: ${err.message}.`,
      'fix the file (its format is in docs/behaviour.md, "Quick replies") or unset TEMPLATES_FILE.',
      { fatal: true, cause: err },
    );
    return { result, seeds: [] };
  }
}
