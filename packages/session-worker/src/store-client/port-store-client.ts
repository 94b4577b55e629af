import {
  fromWireError,
  PendingReplies,
  type SessionEvent,
  type StoredEvent,
  type WireError,
} from '@shoal/shared';
import { decodeSnapshot, type EncodedSnapshot } from '@shoal/store';
import type { ShardMessage, StoreOp } from '../protocol/messages.js';
import type { ShardStore } from './shard-store.js';

/** A `ShardStore` whose calls travel to the main thread as `store` messages and come back as `storeReply`. */
export class PortStoreClient implements ShardStore {
  private nextId = 1;
  private readonly pending = new PendingReplies();

  constructor(private readonly post: (msg: ShardMessage) => void) {}

  /** store calls posted and not yet answered */
  get pendingCalls(): number {
    return this.pending.size;
  }

  /** Called by the host for every `storeReply` command. */
  settle(id: number, ok: boolean, value: unknown, error: WireError | undefined): void {
    if (ok) this.pending.resolve(id, value);
    else this.pending.reject(id, fromWireError(error));
  }

  /** A store call whose request or reply was lost between the threads: it fails instead of waiting. */
  fail(id: number, err: Error): void {
    this.pending.reject(id, err);
  }

  /** Every store call in flight fails (what a lost post carried is no longer known). */
  failAll(makeError: () => Error): void {
    this.pending.rejectAll(makeError);
  }

  private call<T>(op: StoreOp, args: unknown[]): Promise<T> {
    const id = this.nextId++;
    const promise = this.pending.wait<T>(id);
    this.post({ t: 'store', id, op, args });
    return promise;
  }

  createSession(
    sessionId: string,
    meta?: Record<string, string>,
    initialEvents?: SessionEvent[],
  ): Promise<void> {
    return this.call('createSession', [sessionId, meta, initialEvents]);
  }
  append(sessionId: string, events: SessionEvent[], opts?: { expectedNextSeq?: number }): Promise<number[]> {
    return this.call('append', [sessionId, events, opts]);
  }
  loadEventsAfter(sessionId: string, afterSeq: number, opts?: { limit?: number }): Promise<StoredEvent[]> {
    return this.call('loadEventsAfter', [sessionId, afterSeq, opts]);
  }
  sessionExists(sessionId: string): Promise<boolean> {
    return this.call('sessionExists', [sessionId]);
  }
  saveSnapshot(sessionId: string, seq: number, snapshot: unknown): Promise<void> {
    return this.call('saveSnapshot', [sessionId, seq, snapshot]);
  }
  /** Fetches the encoded bytes and decodes them on this thread: far cheaper than cloning the object graph. */
  async loadLatestSnapshot(sessionId: string): Promise<{ seq: number; snapshot: unknown } | null> {
    const encoded = await this.call<EncodedSnapshot | null>('loadLatestSnapshotEncoded', [sessionId]);
    return encoded === null ? null : { seq: encoded.seq, snapshot: decodeSnapshot(sessionId, encoded) };
  }
}
