import { StoreError } from '../errors.js';

/** SQLSTATEs after which the same statement can simply run again: it was rolled back as a whole. */
const RETRYABLE = new Set(['40P01', '40001']); // deadlock_detected, serialization_failure

export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

/**
 * Maps an error from `pg` (a server error with a SQLSTATE, or a socket error: the server is down, the
 * connection was cut) to a `StoreError` of kind IO, keeping it as `cause`. `write` marks a failed write whose
 * outcome the client cannot know (the commit may have happened before the connection broke).
 */
export function pgStoreError(err: unknown, what: string, sessionId?: string, write = false): StoreError {
  if (err instanceof StoreError) return err;
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const detail = typeof e?.message === 'string' && e.message.length > 0 ? e.message : String(err);
  const state = code === undefined ? '' : ` [${code}]`;
  const unknown =
    write && !isServerRejection(code)
      ? ' (the write may or may not have committed: re-read, or retry with expectedNextSeq)'
      : '';
  const base = sessionId === undefined ? { cause: err } : { cause: err, sessionId };
  return new StoreError('IO', `${what} failed: PostgreSQL: ${detail}${state}${unknown}`, base);
}

/**
 * A server error class that rejects the statement before it commits (data, syntax, constraint, resource
 * errors): nothing was written. Connection errors (class 08, admin shutdown 57P01-03) and socket errors are
 * not: the commit may have happened.
 */
function isServerRejection(code: string | undefined): boolean {
  if (code === undefined) return false;
  if (NOT_CONNECTED.has(code)) return true; // never reached the server: nothing was sent
  if (!/^[0-9A-Z]{5}$/.test(code) || code.startsWith('E')) return false; // errno codes (EPIPE, ...)
  return !code.startsWith('08') && !code.startsWith('57P') && !code.startsWith('XX');
}

const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);
