/**
 * Opens the store in DATA_DIR (waiting for another marketgram that still holds it) and logs what a person
 * should know about it: a torn journal, a store that cannot be written, and when it can be again.
 */
import type { Logger } from 'pino';
import { JsonStore } from '../store/store.ts';

export interface OpenStoreOptions {
  dataDir: string;
  logger: Logger;
  /** Every failed write (metrics). */
  onWriteFailed: () => void;
  writeRetryMs?: number;
  beforeWrite?: (file: string) => void;
}

export async function openStore(o: OpenStoreOptions): Promise<JsonStore> {
  const { dataDir, logger } = o;
  const store = await JsonStore.open(dataDir, undefined, {
    onLockWait: (holder) =>
      logger.warn({ holder, dataDir }, 'another marketgram is using the data directory; waiting for it to stop'),
    writeRetryMs: o.writeRetryMs,
    beforeWrite: o.beforeWrite,
  });
  store.onBackgroundError = (err) =>
    logger.error({ err }, 'writing the store journal into its shards failed; will retry');
  store.onWriteFailed = (err, first) => {
    o.onWriteFailed();
    if (first) {
      logger.error(
        { err, dataDir },
        'cannot write the store: free disk space in DATA_DIR (or fix its permissions); changes are kept and written again, replies typed meanwhile are refused',
      );
    }
  };
  store.onWriteRecovered = () => logger.info({ dataDir }, 'the store can be written again');
  if (store.skippedJournalLines > 0) {
    logger.warn(
      { skipped: store.skippedJournalLines },
      'skipped unreadable lines of the store journal (torn by a crash); the chats they touched may repeat a few messages',
    );
  }
  return store;
}
