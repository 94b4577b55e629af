import type { StoredEvent } from '@shoal/shared';

/** api.md `EventSubscription` */
export interface EventSubscription extends AsyncIterable<StoredEvent> {
  close(): Promise<void>;
}

export interface EventSource {
  loadEventsAfter(sessionId: string, afterSeq: number, opts?: { limit?: number }): Promise<StoredEvent[]>;
}

/**
 * One event subscriber (deliberate change 8). Live events are buffered up to `capacity`; a subscriber
 * that falls further behind stops buffering and is caught up from the store, which holds every event that
 * was ever published (events are published only once durable). So it receives every event with
 * `seq > afterSeq` exactly once, in order, with memory bounded by `capacity`.
 */
export class EventSubscriber implements EventSubscription {
  /**
   * Buffered events are `buffer[head..tail)`. The array is reused once drained (not replaced), so a busy
   * subscriber does not allocate one per batch of events; one grown past 64 slots is dropped when drained.
   */
  private buffer: StoredEvent[] = [];
  private head = 0;
  private tail = 0;
  /** seq of the last event placed in the buffer (or already delivered); undefined = not started */
  private lastSeq: number | undefined;
  private catchingUp: boolean;
  private latestPublished = -1;
  private closed = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  /** a consumer's `next()` waiting for the next live event (the common wait, without an async frame) */
  private waiter: { resolve(r: IteratorResult<StoredEvent>): void; reject(err: unknown): void } | undefined;

  constructor(
    readonly sessionId: string,
    private readonly source: EventSource,
    private readonly capacity: number,
    afterSeq: number | undefined,
    private readonly onClose: (s: EventSubscriber) => void,
  ) {
    this.lastSeq = afterSeq;
    this.catchingUp = afterSeq !== undefined;
  }

  /** Called by the hub, in seq order, for every durable event of the session. */
  offer(e: StoredEvent): void {
    if (e.seq > this.latestPublished) this.latestPublished = e.seq;
    if (this.closed || this.catchingUp) return;
    if (this.lastSeq === undefined) this.lastSeq = e.seq - 1;
    if (e.seq <= this.lastSeq) return; // already delivered (read from the store during a catch-up)
    if (e.seq !== this.lastSeq + 1 || this.tail - this.head >= this.capacity) {
      this.catchingUp = true; // a gap or a full buffer: the store has these events, read them from there
      this.notify();
      return;
    }
    this.put(e);
    this.lastSeq = e.seq;
    this.notify();
  }

  /** The session was deleted or the runtime shut down: end the iteration. */
  end(error?: Error): void {
    this.failure = error;
    this.closed = true;
    this.notify();
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.notify();
    }
    this.onClose(this);
  }

  [Symbol.asyncIterator](): AsyncIterator<StoredEvent> {
    return {
      next: () => this.next(),
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  /**
   * Not async: an event already buffered is handed out with one resolved promise, without an async frame
   * (most events of a busy session are). Waiting, catching up and ending take `nextSlow`.
   */
  private next(): Promise<IteratorResult<StoredEvent>> {
    if (this.head < this.tail) return Promise.resolve({ value: this.take(), done: false });
    if (this.closed || this.catchingUp || this.waiter !== undefined || this.wake !== undefined) {
      return this.nextSlow();
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  private async nextSlow(): Promise<IteratorResult<StoredEvent>> {
    for (;;) {
      if (this.head < this.tail) return { value: this.take(), done: false };
      if (this.closed) {
        this.onClose(this);
        if (this.failure) throw this.failure;
        return { value: undefined, done: true };
      }
      if (this.catchingUp) await this.catchUp();
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Removes and returns the oldest buffered event (the buffer must not be empty). */
  private take(): StoredEvent {
    const value = this.buffer[this.head]!;
    this.buffer[this.head++] = undefined as unknown as StoredEvent;
    if (this.head === this.tail) {
      this.head = 0;
      this.tail = 0;
      if (this.buffer.length > 64) this.buffer = [];
    }
    return value;
  }

  private put(e: StoredEvent): void {
    if (this.tail < this.buffer.length) this.buffer[this.tail] = e;
    else this.buffer.push(e);
    this.tail++;
  }

  private async catchUp(): Promise<void> {
    const after = this.lastSeq ?? -1;
    const page = await this.source.loadEventsAfter(this.sessionId, after, { limit: this.capacity });
    for (const e of page) {
      if (this.lastSeq !== undefined && e.seq <= this.lastSeq) continue;
      this.put(e);
      this.lastSeq = e.seq;
    }
    // Only go live once nothing published is missing; events published while we were reading were
    // ignored by `offer`, so read again if any of them is newer than what we have.
    if (page.length < this.capacity && (this.lastSeq ?? -1) >= this.latestPublished) this.catchingUp = false;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
    const waiter = this.waiter;
    if (waiter === undefined) return;
    this.waiter = undefined;
    if (this.head < this.tail) waiter.resolve({ value: this.take(), done: false });
    // ended, closed or catching up: the general path, from a microtask like the wait it replaces
    else queueMicrotask(() => this.nextSlow().then(waiter.resolve, waiter.reject));
  }
}
