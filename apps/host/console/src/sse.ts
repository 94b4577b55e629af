import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { ApiError, describe, errorOf } from './api.js';

/** Where a resuming stream is: `failed` is final (the host refused it for good: bad key, unknown session). */
export type StreamState =
  | { kind: 'connecting' }
  | { kind: 'open' }
  | { kind: 'retrying'; inMs: number; reason: string }
  | { kind: 'failed'; error: ApiError }
  | { kind: 'closed' };

export interface ResumingStreamOptions {
  url: string;
  /** Request headers (the bearer key); read at every connect. */
  headers: () => Record<string, string>;
  /** The id to resume after, sent as `Last-Event-ID`; read at every connect, `null` for none. */
  lastEventId?: () => string | null;
  onMessage: (message: EventSourceMessage) => void;
  onState: (state: StreamState) => void;
  /** No byte (not even a heartbeat) for this long means a dead connection: reconnect. */
  idleTimeoutMs?: number;
}

export interface ResumingStream {
  /** Drops the current connection and opens a new one at once (e.g. after a gap in the ids). */
  reconnect(): void;
  close(): void;
}

// Statuses that no retry can fix: the key is wrong, the session is gone or the request itself is bad.
const FINAL_STATUSES = new Set([400, 401, 403, 404]);
const MAX_BACKOFF_MS = 5000;

/**
 * Server-sent events over `fetch`, so the API key goes in a header rather than a URL (`EventSource` cannot set
 * headers). Reconnects by itself after a dropped connection, a clean end of stream or a host restart, with
 * `Last-Event-ID` taken from the caller (who knows what it has applied) and a capped exponential backoff that
 * honours the server's `retry:` field and `Retry-After`.
 */
export function openResumingStream(options: ResumingStreamOptions): ResumingStream {
  const lifetime = new AbortController();
  let connection: AbortController | null = null;
  let waiting: AbortController | null = null;
  let skipWait = false;

  const run = async (): Promise<void> => {
    let failures = 0;
    let serverRetryMs: number | null = null;
    while (!lifetime.signal.aborted) {
      options.onState({ kind: 'connecting' });
      let reason = 'the stream ended';
      let retryAfterMs: number | null = null;
      const current = new AbortController();
      connection = current;
      const abortCurrent = () => current.abort();
      lifetime.signal.addEventListener('abort', abortCurrent);
      try {
        const opened = await connect(options, current.signal);
        if (opened.kind === 'refused') {
          if (FINAL_STATUSES.has(opened.error.status)) {
            options.onState({ kind: 'failed', error: opened.error });
            return;
          }
          reason = opened.error.message;
          retryAfterMs = opened.retryAfterMs;
          failures++;
        } else {
          failures = 0;
          options.onState({ kind: 'open' });
          await pump(opened.response, options, current, (ms) => {
            serverRetryMs = ms;
          });
        }
      } catch (cause) {
        reason = describe(cause);
        failures++;
      } finally {
        lifetime.signal.removeEventListener('abort', abortCurrent);
        connection = null;
      }
      if (lifetime.signal.aborted) break;
      if (skipWait) {
        skipWait = false;
        continue;
      }
      const base = serverRetryMs ?? 250;
      const waitMs = retryAfterMs ?? Math.min(MAX_BACKOFF_MS, base * 2 ** Math.max(0, failures - 1));
      options.onState({ kind: 'retrying', inMs: waitMs, reason });
      waiting = new AbortController();
      await sleep(waitMs, waiting.signal);
      waiting = null;
    }
    options.onState({ kind: 'closed' });
  };
  void run();

  return {
    reconnect() {
      skipWait = connection !== null;
      connection?.abort();
      waiting?.abort();
    },
    close() {
      lifetime.abort();
      waiting?.abort();
    },
  };
}

type Opened =
  | { kind: 'open'; response: Response }
  | { kind: 'refused'; error: ApiError; retryAfterMs: number | null };

async function connect(options: ResumingStreamOptions, signal: AbortSignal): Promise<Opened> {
  const headers: Record<string, string> = { ...options.headers(), accept: 'text/event-stream' };
  const lastId = options.lastEventId?.() ?? null;
  if (lastId !== null) headers['last-event-id'] = lastId;
  const response = await fetch(options.url, { headers, signal, cache: 'no-store' });
  if (!response.ok) {
    return { kind: 'refused', error: await errorOf(response), retryAfterMs: retryAfterOf(response) };
  }
  if (response.body === null) {
    return {
      kind: 'refused',
      error: new ApiError(response.status, 'NO_BODY', 'empty stream'),
      retryAfterMs: null,
    };
  }
  return { kind: 'open', response };
}

/** Feeds the body to the SSE parser until it ends, or until it stays silent past the idle timeout. */
async function pump(
  response: Response,
  options: ResumingStreamOptions,
  connection: AbortController,
  onRetry: (ms: number) => void,
): Promise<void> {
  const parser = createParser({ onEvent: options.onMessage, onRetry });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const idleMs = options.idleTimeoutMs ?? 60_000;
  let idle = setTimeout(() => connection.abort(), idleMs);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      clearTimeout(idle);
      idle = setTimeout(() => connection.abort(), idleMs);
      parser.feed(value);
    }
  } finally {
    clearTimeout(idle);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

function retryAfterOf(response: Response): number | null {
  const header = response.headers.get('retry-after');
  if (header === null) return null;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, 30_000) : null;
}
