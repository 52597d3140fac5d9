/** Walking a paged Market list: the pages one after another, up to a bound (a token that never ends stops). */
import type { Page } from './ports.ts';

/** Each page's items in turn; `read` is called with the previous page's token. */
export async function* pagesOf<T>(
  read: (pageToken: string | undefined) => Promise<Page<T>>,
  maxPages = 1_000,
): AsyncGenerator<T[]> {
  let pageToken: string | undefined;
  for (let pages = 0; pages < maxPages; pages++) {
    const page = await read(pageToken);
    yield page.items;
    pageToken = page.nextPageToken;
    if (!pageToken) return;
  }
}

/** Every item of every page. */
export async function allItems<T>(read: (pageToken: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  for await (const items of pagesOf(read)) all.push(...items);
  return all;
}
