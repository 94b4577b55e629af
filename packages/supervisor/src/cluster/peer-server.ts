import { timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toWireError } from '@shoal/shared';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { LocalRuntime, LocalSubscription } from './local-runtime.js';
import {
  DeltasQuerySchema,
  EventsQuerySchema,
  NOT_OWNER_STATUS,
  PEER_PATHS,
  PeerCommandSchema,
  type PeerReply,
} from './peer-protocol.js';
import type { ShardWatchers } from './shard-watchers.js';

const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface PeerServerDeps {
  local: LocalRuntime;
  holds(shard: number): boolean;
  shardOf(sessionId: string): number;
  watchers: ShardWatchers;
  secret: string | undefined;
  logger: Logger;
}

/**
 * The internal endpoint of a cluster node (node:http; the peer protocol is in peer-protocol.ts). It serves
 * only sessions whose shard this node holds (else 421, and the caller routes again). Without a shared
 * secret it must listen on loopback only (checked at start); with one, every request must present it.
 */
export class PeerServer {
  private readonly server: Server;
  private readonly streams = new Set<ServerResponse>();

  constructor(private readonly deps: PeerServerDeps) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        deps.logger.error({ err, url: req.url }, 'peer request failed');
        if (!res.headersSent) sendJson(res, 500, { error: { message: (err as Error).message } });
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 60_000;
  }

  /** Listens on `host:port` (port 0: any free one) and returns the port bound. */
  async listen(host: string, port: number): Promise<number> {
    this.server.listen(port, host);
    await once(this.server, 'listening');
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const res of this.streams) res.end();
    this.server.closeIdleConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.authorized(req)) {
      sendJson(res, 401, { error: { code: 'UNAUTHORIZED', message: 'missing or wrong cluster secret' } });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://peer');
    if (req.method === 'POST' && url.pathname === PEER_PATHS.request) return this.request(req, res);
    if (req.method === 'GET' && url.pathname === PEER_PATHS.events) {
      const q = parseQuery(EventsQuerySchema, url, res);
      if (q === undefined) return;
      return this.stream(res, q.sessionId, () =>
        this.deps.local.subscribeEventsLocal(q.sessionId, q.afterSeq),
      );
    }
    if (req.method === 'GET' && url.pathname === PEER_PATHS.deltas) {
      const q = parseQuery(DeltasQuerySchema, url, res);
      if (q === undefined) return;
      return this.stream(res, q.sessionId, () => this.deps.local.subscribeDeltasLocal(q.sessionId));
    }
    sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${req.method} ${url.pathname}` } });
  }

  private async request(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (err) {
      sendJson(res, 400, { error: { code: 'BAD_REQUEST', message: (err as Error).message } });
      return;
    }
    const parsed = PeerCommandSchema.safeParse(body);
    if (!parsed.success) {
      sendJson(res, 400, {
        error: { code: 'BAD_REQUEST', message: 'invalid command', details: parsed.error.issues },
      });
      return;
    }
    const cmd = parsed.data;
    if (!this.deps.holds(this.deps.shardOf(cmd.sessionId))) {
      sendJson(res, NOT_OWNER_STATUS, {
        error: { code: 'NOT_OWNER', message: 'this node does not own the shard' },
      });
      return;
    }
    let reply: PeerReply;
    try {
      reply = { ok: true, value: await this.deps.local.requestLocal(cmd) };
    } catch (err) {
      reply = { ok: false, error: toWireError(err) };
    }
    sendJson(res, 200, reply);
  }

  /** Streams one JSON value per line from a local subscription, pausing while the socket is full. */
  private async stream<T>(
    res: ServerResponse,
    sessionId: string,
    open: () => LocalSubscription<T>,
  ): Promise<void> {
    const shard = this.deps.shardOf(sessionId);
    if (!this.deps.holds(shard)) {
      sendJson(res, NOT_OWNER_STATUS, {
        error: { code: 'NOT_OWNER', message: 'this node does not own the shard' },
      });
      return;
    }
    try {
      await this.deps.local.requestLocal({ t: 'ensureActive', sessionId });
    } catch (err) {
      const error = toWireError(err);
      sendJson(res, error.code === 'SESSION_NOT_FOUND' ? 404 : 503, { error });
      return;
    }
    const sub = open();
    const unwatch = this.deps.watchers.add(shard, { shardLost: () => void sub.close() });
    this.streams.add(res);
    res.once('close', () => void sub.close());
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    res.flushHeaders();
    try {
      for await (const item of sub) {
        if (res.destroyed) break;
        if (!res.write(`${JSON.stringify(item)}\n`))
          await Promise.race([once(res, 'drain'), once(res, 'close')]);
      }
    } finally {
      unwatch();
      this.streams.delete(res);
      await sub.close();
      if (!res.destroyed) res.end();
    }
  }

  private authorized(req: IncomingMessage): boolean {
    const secret = this.deps.secret;
    if (secret === undefined) return true;
    const given = Buffer.from(req.headers.authorization ?? '');
    const expected = Buffer.from(`Bearer ${secret}`);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

function parseQuery<T>(schema: z.ZodType<T>, url: URL, res: ServerResponse): T | undefined {
  const r = schema.safeParse(Object.fromEntries(url.searchParams));
  if (r.success) return r.data;
  sendJson(res, 400, { error: { code: 'BAD_REQUEST', message: 'invalid query', details: r.error.issues } });
  return undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error(`the body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
