import type { SseStream } from './sse.js';

/** A running stream: its response, and `done`, which settles once the response is finished. */
interface RunningStream {
  stream: SseStream;
  done: Promise<void>;
}

/**
 * Every open SSE stream of the host: one timer sends heartbeats to all of them (10,000 streams cost one
 * interval, not 10,000), a graceful shutdown ends them all, and metrics read how much they buffer.
 */
export class OpenStreams {
  private readonly running = new Set<RunningStream>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly heartbeatMs: number) {}

  get size(): number {
    return this.running.size;
  }

  add(entry: RunningStream): void {
    this.running.add(entry);
    const remove = () => {
      this.running.delete(entry);
      if (this.running.size === 0) this.stopHeartbeats();
    };
    entry.done.then(remove, remove);
    if (this.timer === undefined && this.heartbeatMs > 0) {
      this.timer = setInterval(() => {
        for (const r of this.running) r.stream.heartbeat();
      }, this.heartbeatMs);
      this.timer.unref();
    }
  }

  /** Bytes written to open streams that their sockets have not taken yet (bounded by backpressure). */
  bufferedBytes(): number {
    let n = 0;
    for (const r of this.running) n += r.stream.bufferedBytes;
    return n;
  }

  /** Ends every open stream cleanly (clients reconnect with `Last-Event-ID`) and waits until all are done. */
  async endAll(): Promise<void> {
    const all = [...this.running];
    for (const r of all) r.stream.end();
    await Promise.allSettled(all.map((r) => r.done));
    this.stopHeartbeats();
  }

  private stopHeartbeats(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
