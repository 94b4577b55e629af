import type { StoredEvent, StreamDelta } from '@shoal/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HostContext } from '../context.js';
import { shuttingDown } from '../errors.js';
import { formatDelta, formatEvent, SseStream } from '../sse.js';
import { DeltasQuery, EventsQuery, LastEventIdHeader, parse, SessionParams } from '../validation.js';

interface Subscription<T> extends AsyncIterable<T> {
  close(): Promise<void>;
}

/**
 * api.md: `GET /v1/sessions/:id/events` (stored events, resumable) and `/deltas` (live deltas) as server-sent
 * events. Everything that can fail (validation, ownership, the stream quota, subscribing) happens before the
 * 200 head is sent, so it gets an ordinary JSON error.
 */
export function streamRoutes(app: FastifyInstance, ctx: HostContext): void {
  const { runtime, tenancy } = ctx;

  app.get('/v1/sessions/:id/events', async (request, reply) => {
    const { id } = parse(SessionParams, request.params, 'path');
    const query = parse(EventsQuery, request.query, 'query');
    const lastEventId = request.headers['last-event-id'];
    // api.md: a Last-Event-ID header wins over `after`; with neither the stream starts at the first event.
    const afterSeq =
      lastEventId !== undefined
        ? parse(LastEventIdHeader, lastEventId, 'Last-Event-ID header')
        : (query.after ?? -1);
    await tenancy.assertOwned(request.tenant, id);
    await serve(request, reply, 'events', () => runtime.subscribeEvents(id, { afterSeq }), formatEvent);
  });

  app.get('/v1/sessions/:id/deltas', async (request, reply) => {
    const { id } = parse(SessionParams, request.params, 'path');
    parse(DeltasQuery, request.query, 'query');
    await tenancy.assertOwned(request.tenant, id);
    await serve(request, reply, 'deltas', () => runtime.subscribeDeltas(id), formatDelta);
  });

  async function serve<T extends StoredEvent | StreamDelta>(
    request: FastifyRequest,
    reply: FastifyReply,
    kind: 'events' | 'deltas',
    subscribe: () => Promise<Subscription<T>>,
    format: (item: T) => string,
  ): Promise<void> {
    const tenant = request.tenant;
    ctx.streamQuota.acquire(tenant);
    let sub: Subscription<T>;
    try {
      sub = await subscribe();
    } catch (err) {
      ctx.streamQuota.release(tenant);
      throw err;
    }
    if (ctx.isDraining()) {
      // A shutdown began while subscribing: its stream sweep has run already, so refuse this one.
      ctx.streamQuota.release(tenant);
      await sub.close();
      throw shuttingDown();
    }
    // From here the response is ours: Fastify does not send one, and its hooks do not see its end. What the
    // stream keeps is taken out of the request now, so an open stream does not hold Fastify's objects.
    reply.hijack();
    const log = request.log;
    const route = request.routeOptions.url ?? request.url;
    const stream = new SseStream(reply.raw);
    const started = performance.now();
    stream.open();
    ctx.metrics.openStreams.inc({ kind });
    // A client that goes away (or a shutdown that ends the stream) closes the subscription, which ends the
    // iteration below even while it waits for the next event.
    stream.onClose(() => {
      sub.close().catch((err: unknown) => log.warn({ err }, 'closing a subscription failed'));
    });
    const done = pump(stream, sub, format)
      .catch((err: unknown) => log.error({ err, kind }, 'stream failed'))
      .finally(() => {
        stream.end();
        ctx.streamQuota.release(tenant);
        ctx.metrics.openStreams.dec({ kind });
        ctx.metrics.observeRequest('GET', route, 200, (performance.now() - started) / 1000);
      });
    ctx.openStreams.add({ stream, done });
  }
}

/**
 * Writes each item as it comes, never more than the socket accepts: while a write is pending the next item
 * is not pulled, so a slow client costs one socket buffer and the subscription catches it up from the store.
 */
async function pump<T>(
  stream: SseStream,
  source: AsyncIterable<T>,
  format: (item: T) => string,
): Promise<void> {
  for await (const item of source) {
    if (stream.closed) break;
    const pending = stream.send(format(item));
    if (pending !== undefined) await pending;
    if (stream.closed) break;
  }
}
