/**
 * Stable error codes of `@shoal/store`. The first six are the api.md contract; the rest are additions
 * documented in the package README:
 * - `INVALID_EVENT`: an event failed the `SessionEvent` schema (or could not be encoded); nothing was written.
 * - `INVALID_ARGUMENT`: a malformed argument (empty session id, negative sequence number, ...).
 * - `LOCKED`: the database directory is held by another open store (this process or another one).
 * - `LEASE_LOST`: the append fence (PostgreSQL, cluster mode) refused an append; nothing was written.
 */
export type StoreErrorCode =
  | 'SESSION_NOT_FOUND'
  | 'SESSION_ALREADY_EXISTS'
  | 'SEQUENCE_CONFLICT'
  | 'CORRUPT_RECORD'
  | 'CLOSED'
  | 'IO'
  | 'INVALID_EVENT'
  | 'INVALID_ARGUMENT'
  | 'LOCKED'
  | 'LEASE_LOST';

export interface StoreErrorDetails {
  /** The session the failing operation was about, when there is one. */
  sessionId?: string;
  /** For `CORRUPT_RECORD`: the sequence number of the unreadable record. */
  seq?: number;
  /** For `SEQUENCE_CONFLICT`: what the caller expected and what the store has. */
  expectedNextSeq?: number;
  actualNextSeq?: number;
  /** For `INVALID_EVENT`: the index of the rejected event in the batch, and the validator's issues. */
  eventIndex?: number;
  issues?: unknown;
  cause?: unknown;
}

export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  readonly sessionId: string | undefined;
  readonly seq: number | undefined;
  readonly expectedNextSeq: number | undefined;
  readonly actualNextSeq: number | undefined;
  readonly eventIndex: number | undefined;
  readonly issues: unknown;

  constructor(code: StoreErrorCode, message: string, details: StoreErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.sessionId = details.sessionId;
    this.seq = details.seq;
    this.expectedNextSeq = details.expectedNextSeq;
    this.actualNextSeq = details.actualNextSeq;
    this.eventIndex = details.eventIndex;
    this.issues = details.issues;
  }
}

export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}

/** `expectedNextSeq` did not match the session's next sequence number (both stores). */
export function sequenceConflict(sessionId: string, expected: number, actual: number): StoreError {
  return new StoreError(
    'SEQUENCE_CONFLICT',
    `session ${sessionId}: expected next seq ${expected}, but it is ${actual}`,
    { sessionId, expectedNextSeq: expected, actualNextSeq: actual },
  );
}

export function sessionNotFound(sessionId: string): StoreError {
  return new StoreError('SESSION_NOT_FOUND', `session ${sessionId} not found`, { sessionId });
}

export function sessionAlreadyExists(sessionId: string): StoreError {
  return new StoreError('SESSION_ALREADY_EXISTS', `session ${sessionId} already exists`, { sessionId });
}

export function closedError(): StoreError {
  return new StoreError('CLOSED', 'the event store is closed');
}

export function invalidArgument(message: string, sessionId?: string): StoreError {
  return new StoreError('INVALID_ARGUMENT', message, sessionId === undefined ? {} : { sessionId });
}

const CLOSED_LEVEL_CODES = new Set([
  'LEVEL_DATABASE_NOT_OPEN',
  'LEVEL_ITERATOR_NOT_OPEN',
  'LEVEL_BATCH_NOT_OPEN',
  'LEVEL_SNAPSHOT_NOT_OPEN',
]);

/** Whether LevelDB reported corruption (a damaged table block), here or in the error's causes. */
function isLevelCorruption(err: unknown): boolean {
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 8; depth++) {
    if ((e as { code?: unknown }).code === 'LEVEL_CORRUPTION') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Maps an error from LevelDB (or anything unexpected) to a `StoreError`, keeping the original as `cause`. */
export function toStoreError(err: unknown, what: string, sessionId?: string): StoreError {
  if (err instanceof StoreError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const base = sessionId === undefined ? { cause: err } : { cause: err, sessionId };
  if (typeof code === 'string' && CLOSED_LEVEL_CODES.has(code)) {
    return new StoreError('CLOSED', `${what}: the event store is closed`, base);
  }
  const detail = err instanceof Error ? err.message : String(err);
  if (isLevelCorruption(err)) {
    return new StoreError('CORRUPT_RECORD', `${what} failed: LevelDB reports corruption: ${detail}`, base);
  }
  return new StoreError('IO', `${what} failed: ${detail}`, base);
}
