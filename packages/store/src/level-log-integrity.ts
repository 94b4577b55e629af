import { decodeCatalog } from './catalog.js';
import { StoreError, toStoreError } from './errors.js';

/*
 * Integrity checks on reading a session's log. LevelDB checks the checksum of each write-ahead-log record when
 * it recovers, but without `paranoid_checks` (LevelDB's Node binding does not expose it) it drops a damaged record —
 * the rest of its 32 KiB block, every batch in it — and carries on, so a flipped byte silently loses events
 * of many sessions. What this store can still see: sequence numbers are contiguous by construction, and the
 * catalog record, written in the same batch as events whenever it changes, records the session's next seq at
 * that moment. A gap, or a log ending before that seq, is therefore damage. A lost batch that was a session's
 * last write *and* carried its last catalog record leaves no trace (README "Corruption").
 */

function missing(sessionId: string, seq: number, why: string): StoreError {
  return new StoreError('CORRUPT_RECORD', `session ${sessionId}: event at seq ${seq} is missing: ${why}`, {
    sessionId,
    seq,
  });
}

/** The record read at position `expected` of a range must have exactly that seq. */
export function checkContiguous(sessionId: string, expected: number, actual: number): void {
  if (actual !== expected) {
    throw missing(sessionId, expected, `the log jumps from seq ${expected - 1} to ${actual}`);
  }
}

/**
 * `next` is the seq after the last event read; `complete` says the read went to the end of the log (no
 * limit cut it). The catalog's `catalogEnd` (next seq when it was written) may lag behind, never lead.
 */
export function checkLogEnd(
  sessionId: string,
  next: number,
  complete: boolean,
  catalogEnd: number | undefined,
): void {
  if (complete && catalogEnd !== undefined && next < catalogEnd) {
    throw missing(
      sessionId,
      next,
      `the log ends at seq ${next - 1} but the catalog records ${catalogEnd} events`,
    );
  }
}

/** The next seq a stored catalog record vouches for, or undefined (no record, or one that never lags). */
export function catalogEndOf(sessionId: string, buf: Buffer | undefined): number | undefined {
  if (buf === undefined) return undefined;
  try {
    return decodeCatalog(buf).seq;
  } catch (err) {
    throw new StoreError('CORRUPT_RECORD', `session ${sessionId}: catalog record cannot be decoded`, {
      sessionId,
      cause: err,
    });
  }
}

/** A failed range read of a session's events: LevelDB's own corruption report names the first seq asked for. */
export function readError(err: unknown, sessionId: string, fromSeq: number): StoreError {
  const mapped = toStoreError(err, `read events of session ${sessionId}`, sessionId);
  if (mapped.code !== 'CORRUPT_RECORD') return mapped;
  return new StoreError(
    'CORRUPT_RECORD',
    `session ${sessionId}: events from seq ${fromSeq} cannot be read: ${mapped.message}`,
    { sessionId, seq: fromSeq, cause: err },
  );
}
