import type { SessionEvent, StreamDelta } from '@shoal/shared';
import { DeltaSubscriber } from './delta-subscription.js';
import { type EventSource, EventSubscriber } from './event-subscription.js';

/**
 * Fans durable events and live deltas out to the subscribers of each session, on the main thread. The
 * runtime calls `publishEvents` right after an append is acknowledged, so subscribers never see an event
 * that is not durable. `onCount` reports subscriber counts so shards never passivate a watched session.
 */
export class SubscriptionHub {
  private readonly events = new Map<string, Set<EventSubscriber>>();
  private readonly deltas = new Map<string, Set<DeltaSubscriber>>();

  constructor(
    private readonly source: EventSource,
    private readonly limits: { eventBuffer: number; deltaBuffer: number },
    private readonly onCount: (sessionId: string, events: number, deltas: number) => void,
  ) {}

  publishEvents(sessionId: string, events: readonly SessionEvent[], seqs: readonly number[]): void {
    const subs = this.events.get(sessionId);
    if (!subs) return;
    for (let i = 0; i < events.length; i++) {
      const stored = { seq: seqs[i]!, event: events[i]! };
      for (const s of subs) s.offer(stored);
    }
  }

  publishDeltas(sessionId: string, deltas: readonly StreamDelta[]): void {
    const subs = this.deltas.get(sessionId);
    if (!subs) return;
    for (const d of deltas) for (const s of subs) s.offer(d);
  }

  subscribeEvents(sessionId: string, afterSeq: number | undefined): EventSubscriber {
    const sub = new EventSubscriber(sessionId, this.source, this.limits.eventBuffer, afterSeq, (s) =>
      this.remove(this.events, s),
    );
    add(this.events, sessionId, sub);
    this.report(sessionId);
    return sub;
  }

  subscribeDeltas(sessionId: string): DeltaSubscriber {
    const sub = new DeltaSubscriber(sessionId, this.limits.deltaBuffer, (s) => this.remove(this.deltas, s));
    add(this.deltas, sessionId, sub);
    this.report(sessionId);
    return sub;
  }

  /** `[sessionId, eventSubscribers, deltaSubscribers]` for every watched session. */
  *counts(): Iterable<[string, number, number]> {
    const ids = new Set([...this.events.keys(), ...this.deltas.keys()]);
    for (const id of ids) yield [id, this.events.get(id)?.size ?? 0, this.deltas.get(id)?.size ?? 0];
  }

  /** End every subscription of a session (it was deleted). */
  endSession(sessionId: string): void {
    for (const s of this.events.get(sessionId) ?? []) s.end();
    for (const s of this.deltas.get(sessionId) ?? []) s.end();
  }

  endAll(): void {
    for (const set of this.events.values()) for (const s of set) s.end();
    for (const set of this.deltas.values()) for (const s of set) s.end();
  }

  private remove<T extends { sessionId: string }>(map: Map<string, Set<T>>, sub: T): void {
    const set = map.get(sub.sessionId);
    if (!set?.delete(sub)) return;
    if (set.size === 0) map.delete(sub.sessionId);
    this.report(sub.sessionId);
  }

  private report(sessionId: string): void {
    this.onCount(sessionId, this.events.get(sessionId)?.size ?? 0, this.deltas.get(sessionId)?.size ?? 0);
  }
}

function add<T>(map: Map<string, Set<T>>, key: string, value: T): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}
