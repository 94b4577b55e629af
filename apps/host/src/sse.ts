import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
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

/**
 * One open SSE response. After the head, the body goes straight to the socket as HTTP/1.1 chunks (or raw
 * bytes for an HTTP/1.0 client, whose response ends with the connection), one write per event-loop tick for
 * everything sent in that tick: one string, one syscall. Node's own chunked `write` costs a few µs more per
 * write (a corked response buffers each piece, then a `writev` of the size line, the pieces and the CRLF),
 * and a busy host makes two such writes per turn. `end()` still goes through the response, which writes the
 * terminating chunk, so a client sees a clean end.
 */
export class SseStream {
  private isClosed = false;
  /** What was sent in this tick and is not written yet. */
  private pending = '';
  private flushQueued = false;
  private chunked = true;
  private drained: (() => void) | undefined;
  private readonly closeListeners: Array<() => void> = [];
  private readonly socket: Socket | null;
  /** A HEAD request gets the head only (Node drops a HEAD response's body; this writes past Node). */
  private readonly withBody: boolean;
  private readonly onDrain = () => this.wakeWriter();
  private readonly flushInTick = () => {
    this.flushQueued = false;
    this.flush();
  };

  constructor(private readonly res: ServerResponse) {
    this.socket = res.socket;
    this.withBody = res.req.method !== 'HEAD';
    const onGone = () => this.markClosed();
    res.on('close', onGone);
    res.on('error', onGone);
    // The socket outlives the response on a keep-alive connection: `markClosed` removes this again.
    this.socket?.on('drain', this.onDrain);
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
    this.chunked = this.res.chunkedEncoding;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Bytes sent but not yet taken by the socket (about: pending text is counted in UTF-16 units). */
  get bufferedBytes(): number {
    return (this.socket?.writableLength ?? 0) + this.pending.length;
  }

  /** Calls `fn` once when the client goes away or the stream is ended. */
  onClose(fn: () => void): void {
    if (this.isClosed) fn();
    else this.closeListeners.push(fn);
  }

  /**
   * Sends one message. Returns undefined when the socket can take more, or a promise that settles once the
   * socket drained or the client went away; the caller must not send again before it settles.
   */
  send(text: string): Promise<void> | undefined {
    const socket = this.socket;
    if (this.isClosed || socket === null) return undefined;
    // The events of one append reach the stream in the same tick: they leave in one write at its end.
    this.pending += text;
    let full = socket.writableNeedDrain;
    if (this.pending.length >= socket.writableHighWaterMark) full = !this.flush();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      process.nextTick(this.flushInTick);
    }
    if (!full) return undefined;
    return new Promise<void>((resolve) => {
      if (this.isClosed) resolve();
      else this.drained = resolve;
    });
  }

  /** A comment line for proxies and clients to see the stream is alive; skipped while the socket is full. */
  heartbeat(): void {
    if (this.isClosed || this.socket === null || this.socket.writableNeedDrain) return;
    this.pending += HEARTBEAT;
    this.flush();
  }

  /** Ends the response cleanly (the terminating chunk is sent: a client sees the stream end, not an error). */
  end(): void {
    if (!this.isClosed) this.flush();
    if (!this.res.writableEnded) this.res.end();
    this.markClosed();
  }

  /** Writes what is pending; false when the socket's buffer is full (its 'drain' will wake the writer). */
  private flush(): boolean {
    const text = this.pending;
    const socket = this.socket;
    if (text === '' || socket === null) return true;
    this.pending = '';
    if (this.isClosed || !this.withBody || socket.destroyed) return true;
    return socket.write(this.chunked ? `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n` : text);
  }

  private wakeWriter(): void {
    const resolve = this.drained;
    this.drained = undefined;
    resolve?.();
  }

  private markClosed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.pending = '';
    this.socket?.off('drain', this.onDrain);
    this.wakeWriter();
    for (const fn of this.closeListeners.splice(0)) fn();
  }
}
