import type { StreamDelta } from '@shoal/shared';

/** api.md `DeltaSubscription` */
export interface DeltaSubscription extends AsyncIterable<StreamDelta> {
  close(): Promise<void>;
}

/**
 * One live delta subscriber with a bounded buffer. Deltas that arrive while the buffer is full are
 * dropped and counted; the consumer then receives `{ type: 'Lagged', dropped }` in their place (api.md).
 */
export class DeltaSubscriber implements DeltaSubscription {
  private buffer: StreamDelta[] = [];
  private head = 0;
  private dropped = 0;
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(
    readonly sessionId: string,
    private readonly capacity: number,
    private readonly onClose: (s: DeltaSubscriber) => void,
  ) {}

  offer(d: StreamDelta): void {
    if (this.closed) return;
    if (this.buffer.length - this.head >= this.capacity) {
      this.dropped++;
      return;
    }
    if (this.dropped > 0) {
      this.buffer.push({ type: 'Lagged', dropped: this.dropped });
      this.dropped = 0;
    }
    this.buffer.push(d);
    this.notify();
  }

  end(): void {
    this.closed = true;
    this.notify();
  }

  async close(): Promise<void> {
    this.end();
    this.onClose(this);
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamDelta> {
    return {
      next: () => this.next(),
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  private async next(): Promise<IteratorResult<StreamDelta>> {
    for (;;) {
      if (this.head < this.buffer.length) {
        const value = this.buffer[this.head]!;
        this.head++;
        if (this.head === this.buffer.length) {
          this.buffer = [];
          this.head = 0;
        }
        return { value, done: false };
      }
      if (this.dropped > 0) {
        const dropped = this.dropped;
        this.dropped = 0;
        return { value: { type: 'Lagged', dropped }, done: false };
      }
      if (this.closed) {
        this.onClose(this);
        return { value: undefined, done: true };
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
