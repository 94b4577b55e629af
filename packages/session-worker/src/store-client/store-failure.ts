import { RuntimeError } from '@shoal/shared';
import { StoreError } from '@shoal/store';
import type { ShardStore } from './shard-store.js';

/**
 * The one mapping of the event store's errors (`StoreError`, typed by the store) into `RuntimeError`, used
 * wherever a store call fails on behalf of a caller: a shard's store in-process (`shards: 0`), the main
 * thread serving a worker's store calls, and the runtime's own reads. The store's facts (session, seq,
 * expected and actual next seq, schema issues) travel as plain `details`; the StoreError is the `cause`.
 */
export function runtimeErrorFromStore(err: unknown): RuntimeError {
  if (err instanceof RuntimeError) return err;
  if (!(err instanceof StoreError)) {
    const message = err instanceof Error ? err.message : String(err);
    return new RuntimeError('EVENT_STORE', `the event store failed: ${message}`, undefined, undefined, {
      cause: err,
    });
  }
  switch (err.code) {
    case 'SESSION_NOT_FOUND':
    case 'SESSION_ALREADY_EXISTS':
      return new RuntimeError(err.code, err.message, undefined, undefined, { cause: err });
    case 'INVALID_ARGUMENT':
      // The store refused an argument the caller chose (a cursor, a limit); nothing was written.
      return new RuntimeError(
        'INVALID_INPUT',
        err.message,
        'Validation',
        [{ path: [], message: err.message }],
        {
          cause: err,
        },
      );
    case 'LEASE_LOST':
      // Nothing was written and the shard is owned elsewhere now: the retryable SESSION code, which the
      // cluster router answers by routing the command again.
      return new RuntimeError('SESSION', err.message, 'LeaseLost', storeFacts(err), { cause: err });
    default:
      return new RuntimeError('EVENT_STORE', err.message, err.code, storeFacts(err), { cause: err });
  }
}

/** The StoreError's own fields that are set, as plain data. */
function storeFacts(err: StoreError): Record<string, unknown> {
  const facts: Record<string, unknown> = {};
  if (err.sessionId !== undefined) facts.sessionId = err.sessionId;
  if (err.seq !== undefined) facts.seq = err.seq;
  if (err.expectedNextSeq !== undefined) facts.expectedNextSeq = err.expectedNextSeq;
  if (err.actualNextSeq !== undefined) facts.actualNextSeq = err.actualNextSeq;
  if (err.eventIndex !== undefined) facts.eventIndex = err.eventIndex;
  if (err.issues !== undefined) facts.issues = err.issues;
  return facts;
}

function rethrowMapped(err: unknown): never {
  throw runtimeErrorFromStore(err);
}

/** `store` with every rejection mapped by `runtimeErrorFromStore` (the in-process side of the boundary). */
export function mappingStoreErrors(store: ShardStore): ShardStore {
  return {
    createSession: (sessionId, meta, initialEvents) =>
      store.createSession(sessionId, meta, initialEvents).catch(rethrowMapped),
    append: (sessionId, events, opts) => store.append(sessionId, events, opts).catch(rethrowMapped),
    loadEventsAfter: (sessionId, afterSeq, opts) =>
      store.loadEventsAfter(sessionId, afterSeq, opts).catch(rethrowMapped),
    sessionExists: (sessionId) => store.sessionExists(sessionId).catch(rethrowMapped),
    saveSnapshot: (sessionId, seq, snapshot) =>
      store.saveSnapshot(sessionId, seq, snapshot).catch(rethrowMapped),
    loadLatestSnapshot: (sessionId) => store.loadLatestSnapshot(sessionId).catch(rethrowMapped),
  };
}
