import type { SessionEvent, StoredEvent } from '@shoal/shared';
import { StoreError } from '@shoal/store';
import type { ShardStore } from '../store-client/shard-store.js';
import { type Deferred, deferred, TEST_DEADLINE_MS, waitUntil } from './async.js';

export interface AppendRecord {
  sessionId: string;
  events: SessionEvent[];
  expectedNextSeq: number | undefined;
  /** the sequence numbers the store returned; absent while pending or when the append failed */
  seqs?: number[];
  error?: unknown;
}

/**
 * A `ShardStore` in front of a real store that records every append, can hold appends at a gate, and can
 * make the next append fail. It remembers what was durably appended per session, so tests can wait for an
 * event without polling the database.
 */
export class RecordingStore implements ShardStore {
  readonly appends: AppendRecord[] = [];
  private readonly durable = new Map<string, StoredEvent[]>();
  private gate: Deferred<void> | undefined;
  private failures: unknown[] = [];
  /** appends that reached the gate and are waiting on it */
  held = 0;

  constructor(readonly inner: ShardStore) {}

  /** Holds every later append until the returned function is called. */
  hold(): () => void {
    const gate = deferred();
    this.gate = gate;
    return () => {
      if (this.gate === gate) this.gate = undefined;
      gate.resolve();
    };
  }

  /** The next append fails with `err` (default: a StoreError IO, as a broken disk would), writing nothing. */
  failNextAppend(err: unknown = new StoreError('IO', 'simulated write failure')): void {
    this.failures.push(err);
  }

  /** Events appended through this store for a session, in order. */
  log(sessionId: string): StoredEvent[] {
    return this.durable.get(sessionId) ?? [];
  }

  types(sessionId: string): string[] {
    return this.log(sessionId).map((e) => e.event.type);
  }

  async waitForEvent<T extends SessionEvent['type']>(
    sessionId: string,
    type: T,
    pred: (e: Extract<SessionEvent, { type: T }>) => boolean = () => true,
    timeoutMs = TEST_DEADLINE_MS,
  ): Promise<Extract<SessionEvent, { type: T }>> {
    const find = () =>
      this.log(sessionId).find(
        (s) => s.event.type === type && pred(s.event as Extract<SessionEvent, { type: T }>),
      );
    await waitUntil(
      () => find() !== undefined,
      () => `${type} is appended to ${sessionId} (saw ${this.types(sessionId).join(', ')})`,
      timeoutMs,
    );
    return find()!.event as Extract<SessionEvent, { type: T }>;
  }

  /** Initial events are recorded as an append at seq 0 (they are written in the creation's one batch). */
  async createSession(
    sessionId: string,
    meta?: Record<string, string>,
    initialEvents?: SessionEvent[],
  ): Promise<void> {
    if (initialEvents === undefined || initialEvents.length === 0) {
      return this.inner.createSession(sessionId, meta, initialEvents);
    }
    const rec: AppendRecord = { sessionId, events: structuredClone(initialEvents), expectedNextSeq: 0 };
    this.appends.push(rec);
    try {
      await this.inner.createSession(sessionId, meta, initialEvents);
    } catch (err) {
      rec.error = err;
      throw err;
    }
    rec.seqs = rec.events.map((_, i) => i);
    this.durable.set(
      sessionId,
      rec.events.map((event, seq) => ({ seq, event })),
    );
  }

  async append(
    sessionId: string,
    events: SessionEvent[],
    opts?: { expectedNextSeq?: number },
  ): Promise<number[]> {
    const rec: AppendRecord = {
      sessionId,
      events: structuredClone(events),
      expectedNextSeq: opts?.expectedNextSeq,
    };
    this.appends.push(rec);
    const gate = this.gate;
    if (gate) {
      this.held++;
      await gate.promise;
      this.held--;
    }
    const failure = this.failures.shift();
    if (failure !== undefined) {
      rec.error = failure;
      throw failure;
    }
    try {
      const seqs = await this.inner.append(sessionId, events, opts);
      rec.seqs = seqs;
      const log = this.durable.get(sessionId) ?? [];
      for (const [i, seq] of seqs.entries()) log.push({ seq, event: rec.events[i]! });
      this.durable.set(sessionId, log);
      return seqs;
    } catch (err) {
      rec.error = err;
      throw err;
    }
  }

  loadEventsAfter(sessionId: string, afterSeq: number, opts?: { limit?: number }): Promise<StoredEvent[]> {
    return this.inner.loadEventsAfter(sessionId, afterSeq, opts);
  }

  sessionExists(sessionId: string): Promise<boolean> {
    return this.inner.sessionExists(sessionId);
  }

  saveSnapshot(sessionId: string, seq: number, snapshot: unknown): Promise<void> {
    return this.inner.saveSnapshot(sessionId, seq, snapshot);
  }

  loadLatestSnapshot(sessionId: string): Promise<{ seq: number; snapshot: unknown } | null> {
    return this.inner.loadLatestSnapshot(sessionId);
  }
}
