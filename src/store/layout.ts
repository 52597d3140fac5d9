/**
 * Where each file of the store lives under DATA_DIR:
 *   marketgram.json            schema version, creation time, the operator replies on their way, the quick replies
 *   chats/NNN.json             the chat records whose id hashes to shard NNN (up to 256 shards)
 *   chats/journal.ndjson       chat records committed since the shards were last written, one JSON line each
 *   chats/journal.old.ndjson   a journal set aside by a compaction that has not finished writing its shards
 *   <file>.bak                 the last good copy of each of these files
 */
import path from 'node:path';

export const STORE_FILE = 'marketgram.json';
export const SHARD_DIR = 'chats';
/** Chats are spread over this many shard files by id. */
export const SHARDS = 256;
/** The journal of chat records committed since the shards were written, under SHARD_DIR. */
export const JOURNAL_FILE = 'journal.ndjson';
/** A journal set aside by a compaction that has not finished writing its shards. */
export const OLD_JOURNAL_FILE = 'journal.old.ndjson';
/** The name of a shard file under SHARD_DIR; the group is the shard number. */
export const SHARD_NAME = /^(\d{3})\.json$/;

export function shardOf(id: number): number {
  return ((id % SHARDS) + SHARDS) % SHARDS;
}

export function shardFile(dir: string, shard: number): string {
  return path.join(dir, SHARD_DIR, `${String(shard).padStart(3, '0')}.json`);
}
