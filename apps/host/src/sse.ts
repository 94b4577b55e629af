import type { ServerResponse } from 'node:http';
import type { StoredEvent, StreamDelta } from '@shoal/shared';
import { FrameCache } from './frame-cache.js';

/*
 * Server-sent events written on the raw response (README "Streams": why not @fastify/sse). A stream writes
 * only while the socket accepts data: `send` returns a promise while the socket's buffer is full, which the
 * caller awaits before pulling the next event, so a slow client holds at most one socket buffer in the host
 * and the runtime's subscription falls back to reading from the store.
 */

const events = new FrameCache<StoredEvent>(
  (e) =>
    `id: ${e.seq}\nevent: ${e.event.type}\ndata: {"seq":${e.seq},"event":${JSON.stringify(e.event)}}\n\n`,
);
const deltas = new FrameCache<StreamDelta>((d) => `event: ${d.type}\ndata: ${JSON.stringify(d)}\n\n`);

/** api.md: `id: <seq>`, `event: <event.type>`, `data: {"seq":N,"event":{...}}` (JSON has no raw newlines). */
export function formatEvent(e: StoredEvent): string {
  return events.frame(e);
}

/** api.md: `event: <delta.type>`, `data: <the StreamDelta as JSON>`. */
export function formatDelta(d: StreamDelta): string {
  return deltas.frame(d);
}

const HEARTBEAT = ': heartbeat\n\n';

/** One open SSE response. */
export class SseStream {
  private isClosed = false;
  private corked = false;
  private drained: (() => void) | undefined;
  private readonly closeListeners: Array<() => void> = [];

  constructor(private readonly res: ServerResponse) {
    const onGone = () => this.markClosed();
    res.on('close', onGone);
    res.on('error', onGone);
    res.on('drain', () => this.wakeWriter());
    // The client may have gone while the subscription was being set up: 'close' has fired already then.
    if (res.socket === null || res.socket.destroyed || res.writableEnded) this.markClosed();
  }

  /** Sends the 200 head at once, so the client knows the stream is open before the first event. */
  open(): void {
    if (this.isClosed) return;
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Reverse proxies (nginx) would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    });
    this.res.flushHeaders();
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Bytes written but not yet taken by the socket. */
  get bufferedBytes(): number {
    return this.res.writableLength;
  }

  /** Calls `fn` once when the client goes away or the stream is ended. */
  onClose(fn: () => void): void {
    if (this.isClosed) fn();
    else this.closeListeners.push(fn);
  }

  /**
   * Writes one message. Returns undefined when the socket took it, or a promise that settles once the socket
   * drained or the client went away; the caller must not write again before it settles.
   */
  send(text: string): Promise<void> | undefined {
    if (this.isClosed) return undefined;
    // The events of one append reach the stream in the same tick: cork so they leave in one write (one
    // syscall and one chunk) instead of one each.
    if (!this.corked) {
      this.corked = true;
      this.res.cork();
      process.nextTick(() => this.uncork());
    }
    if (this.res.write(text)) return undefined;
    return new Promise<void>((resolve) => {
      if (this.isClosed) resolve();
      else this.drained = resolve;
    });
  }

  /** A comment line for proxies and clients to see the stream is alive; skipped while the socket is full. */
  heartbeat(): void {
    if (!this.isClosed && !this.res.writableNeedDrain) this.res.write(HEARTBEAT);
  }

  /** Ends the response cleanly (the terminating chunk is sent: a client sees the stream end, not an error). */
  end(): void {
    if (!this.res.writableEnded) this.res.end();
    this.markClosed();
  }

  private uncork(): void {
    this.corked = false;
    if (!this.res.destroyed) this.res.uncork();
  }

  private wakeWriter(): void {
    const resolve = this.drained;
    this.drained = undefined;
    resolve?.();
  }

  private markClosed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.wakeWriter();
    for (const fn of this.closeListeners.splice(0)) fn();
  }
}
