import { SessionEventSchema, type StoredEvent } from '@shoal/shared';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { type Dispatcher, fetch } from 'undici';
import { z } from 'zod';
import type { EventStream } from './target.js';
import { networkMessage, TargetCallError } from './target.js';

/** api.md "The host": each event is sent as `data: {"seq":N,"event":{...}}`. */
const StoredEventSchema = z.object({ seq: z.number().int().nonnegative(), event: SessionEventSchema });

export interface SseRequest {
  url: string;
  headers: Record<string, string>;
  dispatcher: Dispatcher;
  /** turns a non-2xx response into the error the caller throws */
  fail(status: number, body: string): Promise<TargetCallError>;
}

/**
 * Opens a host event stream (`GET /v1/sessions/:id/events`) and reads it as `StoredEvent`s: server-sent
 * events parsed by eventsource-parser, each `data` validated against the shared event schema (a malformed
 * one ends the stream with `BAD_EVENT`). Resolves once the response headers arrived (2xx), so events
 * appended after that are on the stream. `close` aborts the request; the iterator then ends.
 */
export async function openSseEvents(req: SseRequest): Promise<EventStream> {
  const abort = new AbortController();
  let closed = false;
  let response: Awaited<ReturnType<typeof fetch>>;
  try {
    response = await fetch(req.url, {
      headers: { ...req.headers, accept: 'text/event-stream' },
      dispatcher: req.dispatcher,
      signal: abort.signal,
    });
  } catch (err) {
    throw new TargetCallError('NETWORK', `GET ${req.url}: ${networkMessage(err)}`, undefined, {
      cause: err,
    });
  }
  if (!response.ok) throw await req.fail(response.status, await response.text());
  const body = response.body;
  if (body === null) throw new TargetCallError('BAD_RESPONSE', `GET ${req.url}: no response body`);

  async function* events(): AsyncGenerator<StoredEvent> {
    const reader = body!
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream())
      .getReader();
    try {
      while (true) {
        let next: Awaited<ReturnType<typeof reader.read>>;
        try {
          next = await reader.read();
        } catch (err) {
          if (closed) return;
          throw new TargetCallError('NETWORK', `event stream ${req.url}: ${networkMessage(err)}`, undefined, {
            cause: err,
          });
        }
        if (next.done) return;
        let data: unknown;
        try {
          data = JSON.parse(next.value.data);
        } catch {
          throw new TargetCallError(
            'BAD_EVENT',
            `event stream ${req.url}: data is not JSON: ${next.value.data.slice(0, 200)}`,
          );
        }
        const parsed = StoredEventSchema.safeParse(data);
        if (!parsed.success) {
          throw new TargetCallError(
            'BAD_EVENT',
            `event stream ${req.url}: not a stored event: ${parsed.error.message}`,
          );
        }
        yield parsed.data;
      }
    } finally {
      reader.releaseLock();
      if (!closed) {
        closed = true;
        abort.abort();
      }
    }
  }

  const iterator = events();
  return {
    [Symbol.asyncIterator]: () => iterator,
    close: async () => {
      if (closed) return;
      closed = true;
      abort.abort();
    },
  };
}
