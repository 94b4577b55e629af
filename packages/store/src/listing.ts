import { invalidArgument } from './errors.js';
import type { ListSessionsOptions } from './event-store.js';
import { checkSeq, SEQ_BYTES } from './keys.js';

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
