import { runtimeErrorFromStore, type ShardMessage, type StoreOp } from '@shoal/session-worker';
import { type SessionEvent, toWireError } from '@shoal/shared';
import { z } from 'zod';
import { RuntimeError } from '../errors/runtime-error.js';
import type { PublishingStore } from '../events/publishing-store.js';
import type { ShardLink } from '../shards/shard-link.js';

/** A shard's store request, as it arrives over its link. */
export type StoreRequest = Extract<ShardMessage, { t: 'store' }>;

// Each event is checked in full against the session-event schema by the store (its `validateEvent`),
// so here only its being an object is; the array is what the request must get right.
const EventArg = z.custom<SessionEvent>(
  (e) => typeof e === 'object' && e !== null && !Array.isArray(e),
  'must be an event object',
);
const SessionIdArg = z.string();
const SeqArg = z.number().int();

/** The arguments of each store operation, positionally, as the shard's store client sends them. */
const StoreArgs = {
  createSession: z.tuple([
    SessionIdArg,
    z.record(z.string(), z.string()).optional(),
    z.array(EventArg).optional(),
  ]),
  append: z.tuple([
    SessionIdArg,
    z.array(EventArg),
    z.object({ expectedNextSeq: SeqArg.optional() }).optional(),
  ]),
  loadEventsAfter: z.tuple([SessionIdArg, SeqArg, z.object({ limit: SeqArg.optional() }).optional()]),
  sessionExists: z.tuple([SessionIdArg]),
  saveSnapshot: z.tuple([SessionIdArg, SeqArg, z.unknown()]),
  loadLatestSnapshotEncoded: z.tuple([SessionIdArg]),
} satisfies Record<StoreOp, z.ZodType>;

/** A request this server refuses (unknown operation, malformed arguments): the shard sent what it must not. */
class BadStoreRequest extends Error {}

/**
 * Serves the store requests of shards: they append and read through the main thread's one store (one
 * LevelDB, one group commit for all shards; appends are published to subscribers once durable). Each
 * operation of the protocol's `StoreOp` is dispatched explicitly with its arguments validated; the reply
 * (the value, or the store's error mapped by `runtimeErrorFromStore`) goes back over the shard's link.
 */
export class StoreRpcServer {
  constructor(private readonly store: PublishingStore) {}

  serve(link: Pick<ShardLink, 'send'>, req: StoreRequest): void {
    const { id } = req;
    let call: Promise<unknown>;
    try {
      call = this.call(req.op, req.args);
    } catch (err) {
      if (!(err instanceof BadStoreRequest)) throw err;
      const error = toWireError(
        new RuntimeError('SESSION', err.message, undefined, undefined, { cause: err }),
      );
      link.send({ t: 'storeReply', id, ok: false, error });
      return;
    }
    call.then(
      (value) => link.send({ t: 'storeReply', id, ok: true, value }),
      // The worker's side of the store boundary; in-process shards map the same way (ShardRunner).
      (err: unknown) =>
        link.send({ t: 'storeReply', id, ok: false, error: toWireError(runtimeErrorFromStore(err)) }),
    );
  }

  /** Starts operation `op`; throws `BadStoreRequest` (synchronously) for an unknown op or bad arguments. */
  private call(op: StoreOp, args: unknown[]): Promise<unknown> {
    switch (op) {
      case 'createSession': {
        const [sessionId, meta, initialEvents] = parseArgs(StoreArgs.createSession, 'createSession', args);
        return this.store.createSession(sessionId, meta, initialEvents);
      }
      case 'append': {
        const [sessionId, events, opts] = parseArgs(StoreArgs.append, 'append', args);
        return this.store.append(sessionId, events, opts);
      }
      case 'loadEventsAfter': {
        const [sessionId, afterSeq, opts] = parseArgs(StoreArgs.loadEventsAfter, 'loadEventsAfter', args);
        return this.store.loadEventsAfter(sessionId, afterSeq, opts);
      }
      case 'sessionExists': {
        const [sessionId] = parseArgs(StoreArgs.sessionExists, 'sessionExists', args);
        return this.store.sessionExists(sessionId);
      }
      case 'saveSnapshot': {
        const [sessionId, seq, snapshot] = parseArgs(StoreArgs.saveSnapshot, 'saveSnapshot', args);
        return this.store.saveSnapshot(sessionId, seq, snapshot);
      }
      case 'loadLatestSnapshotEncoded': {
        const [sessionId] = parseArgs(StoreArgs.loadLatestSnapshotEncoded, 'loadLatestSnapshotEncoded', args);
        return this.store.loadLatestSnapshotEncoded(sessionId);
      }
      default:
        // The port carries whatever the other side posted; the type only says what it should be.
        throw new BadStoreRequest(`unknown store op ${String(op satisfies never)}`);
    }
  }
}

function parseArgs<S extends z.ZodType>(schema: S, op: StoreOp, args: unknown): z.output<S> {
  const result = schema.safeParse(args);
  if (result.success) return result.data;
  throw new BadStoreRequest(`invalid arguments for store op ${op}: ${z.prettifyError(result.error)}`);
}
