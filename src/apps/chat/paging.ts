/**
 * Paging of `/who` and `/rooms`, the same for every hub: which entries a
 * page holds, and the reply to a page past the last.
 */
import { noSuchPage, pageCount, PAGE_SIZE } from "./replies.ts";

/**
 * The indexes of page `page` (from 1) in a list: `start` included, `end` excluded.
 *
 * @example
 * pageRange(2); // { start: 100, end: 200 }
 */
export function pageRange(page: number): { start: number; end: number } {
  return { start: (page - 1) * PAGE_SIZE, end: page * PAGE_SIZE };
}

/** The entries of page `page` (from 1), walking only as far as that page. */
export function pageOf<T, R>(items: Iterable<T>, page: number, map: (item: T) => R): R[] {
  const { start } = pageRange(page);
  const out: R[] = [];
  let i = 0;
  for (const item of items) {
    if (i++ < start) continue;
    out.push(map(item));
    if (out.length === PAGE_SIZE) break;
  }
  return out;
}

/**
 * The reply to `/who PAGE` or `/rooms PAGE` over `total` entries: `lines()`
 * (called only for a page that exists), or the no-such-page error.
 */
export function pageReply(page: number, total: number, lines: () => string[]): string[] {
  const pages = pageCount(total);
  return page > pages ? [noSuchPage(page, pages)] : lines();
}
