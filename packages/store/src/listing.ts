import { invalidArgument } from './errors.js';
import type { ListSessionsOptions } from './event-store.js';
import { checkSeq, SEQ_BYTES } from './keys.js';

/** The page size of `listSessions` when `limit` is not given. */
export const DEFAULT_PAGE_LIMIT = 100;

/** Validates `listSessions` options (shared by both stores so they reject the same input). */
export function checkListOptions(opts: ListSessionsOptions): void {
  if (opts.limit !== undefined) checkSeq('limit', opts.limit, 0);
  if (opts.offset !== undefined) checkSeq('offset', opts.offset, 0);
  if (opts.cursor !== undefined) decodeCursor(opts.cursor);
  const f = opts.metadataFilter;
  if (f !== undefined) {
    if (typeof f.key !== 'string' || f.key.length === 0 || f.key.includes('\0')) {
      throw invalidArgument('metadataFilter.key must be a non-empty string without NUL');
    }
    if (typeof f.value !== 'string' || f.value.includes('\0')) {
      throw invalidArgument('metadataFilter.value must be a string without NUL');
    }
  }
}

/** A cursor is the listing position of the last session of a page: `<inv(updatedAt)><id>`, base64url. */
export function encodeCursor(suffix: Buffer): string {
  return suffix.toString('base64url');
}

export function decodeCursor(cursor: string): Buffer {
  const buf = typeof cursor === 'string' ? Buffer.from(cursor, 'base64url') : Buffer.alloc(0);
  if (buf.length <= SEQ_BYTES || buf.toString('base64url') !== cursor) {
    throw invalidArgument('cursor is not a cursor returned by listSessions');
  }
  return buf;
}

export interface Positioned {
  /** `listingSuffix(updatedAt, id)`: byte order is listing order. */
  suffix: Buffer;
}

/** Applies cursor, offset and limit to entries already in listing order. */
export function paginate<T extends Positioned>(
  sorted: T[],
  opts: ListSessionsOptions,
): { page: T[]; nextCursor: string | null } {
  const { limit = DEFAULT_PAGE_LIMIT, offset = 0, cursor } = opts;
  let rest = sorted;
  if (cursor !== undefined) {
    const after = decodeCursor(cursor);
    rest = sorted.filter((e) => Buffer.compare(e.suffix, after) > 0);
  }
  const page = rest.slice(offset, offset + limit);
  const last = page[page.length - 1];
  return {
    page,
    nextCursor: rest.length > offset + limit && last !== undefined ? encodeCursor(last.suffix) : null,
  };
}

export function byPosition(a: Positioned, b: Positioned): number {
  return Buffer.compare(a.suffix, b.suffix);
}
