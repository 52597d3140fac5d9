/**
 * Quick replies at start: TEMPLATES_FILE is read and checked before anything else starts (a bad file stops
 * the start), and once the store is open its templates are put in, over those of the last start.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { TemplateBook } from '../templates/book.ts';
import type { TemplateStore } from '../templates/port.ts';
import { formatOf, parseTemplatesFile, TemplatesFileError, type SeedTemplate } from '../templates/seed-file.ts';

/** The templates of the file (none without one). Throws TemplatesFileError saying what is wrong with it. */
export async function readTemplatesFile(file: string | undefined): Promise<SeedTemplate[]> {
  if (file === undefined) return [];
  let content: string;
  try {
    content = await readFile(path.resolve(file), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new TemplatesFileError([
      code === 'ENOENT'
        ? 'there is no such file (a relative path starts from the working directory)'
        : `it cannot be read (${code})`,
    ]);
  }
  return parseTemplatesFile(content, formatOf(file));
}

/** The quick replies on record, with the file's templates put in; the change is committed in the background. */
export function openTemplateBook(store: TemplateStore, seeds: readonly SeedTemplate[], logger: Logger): TemplateBook {
  const book = new TemplateBook(store);
  const report = book.seed(seeds);
  if (report.overridden.length > 0) {
    logger.warn(
      { templates: report.overridden },
      'TEMPLATES_FILE replaced quick replies of the same name that were added in Telegram',
    );
  }
  if (report.put.length > 0 || report.removed.length > 0) {
    logger.info(
      { put: report.put, removed: report.removed, total: seeds.length },
      'quick replies of TEMPLATES_FILE loaded',
    );
    // A store that cannot be written now writes the change with its next successful write.
    store
      .commit()
      .catch((err: unknown) => logger.warn({ err }, 'could not save the quick replies of TEMPLATES_FILE yet'));
  }
  return book;
}
