import rateLimit from '@fastify/rate-limit';
import { type Runtime, Runtime as RuntimeClass, type RuntimeOptions } from '@shoal/supervisor';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { pino } from 'pino';
import { bearerAuth } from './auth/authenticate.js';
import type { KeyRing } from './auth/keys.js';
import type { HostContext } from './context.js';
import { shuttingDown, toHttpError } from './errors.js';
import { InFlightRequests } from './in-flight.js';
import {
  DEFAULT_TENANT_LIMITS,
  rateLimited,
  SessionQuota,
  StreamQuota,
  type TenantLimits,
} from './limits.js';
import { HostMetrics } from './metrics.js';
import { OpenStreams } from './open-streams.js';
import { commandRoutes } from './routes/commands.js';
import { consoleRoutes } from './routes/console.js';
import { operationRoutes } from './routes/operations.js';
import { sessionRoutes } from './routes/sessions.js';
import { streamRoutes } from './routes/streams.js';
import { Tenancy } from './tenancy.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface HostOptions {
  /** The API keys and their tenants (`parseKeysEnv`, `loadKeysFile`). */
  keys: KeyRing;
  /** The runtime's data dir; tenants' workspaces live in `<dataDir>/workspaces/tenants/<tenant>/<uuid>`. */
  dataDir?: string;
  /** Options of the runtime the host starts (`dataDir` and `logLevel` come from the host's). */
  runtimeOptions?: Omit<RuntimeOptions, 'dataDir'>;
  /** An already started runtime to serve instead; the host then leaves its shutdown to the caller. */
  runtime?: Runtime;
  limits?: Partial<TenantLimits>;
  /** Interval of heartbeat comments on open streams; default 15 s. */
  heartbeatMs?: number;
  /** `--metrics-key`: `/metrics` then needs `Authorization: Bearer <key>`. */
  metricsKey?: string;
  logLevel?: LogLevel;
  /** How long a graceful shutdown waits for in-flight requests before cutting connections; default 10 s. */
  shutdownTimeoutMs?: number;
  /** Largest accepted request body; default 1 MiB. */
  bodyLimitBytes?: number;
}

export interface Host {
  app: FastifyInstance;
  runtime: Runtime;
  /** Listens and resolves with `http://HOST:PORT` (port 0 picks a free one). */
  listen(opts: { host: string; port: number }): Promise<string>;
  /**
   * Graceful shutdown: `/readyz` turns 503 and new requests get 503, open streams are ended cleanly,
   * in-flight requests finish (connections are cut after `shutdownTimeoutMs`), then the runtime shuts down.
   * Idempotent.
   */
  close(): Promise<void>;
}

export const DEFAULT_HEARTBEAT_MS = 15_000;
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/** Builds the host: starts (or adopts) the runtime and registers every route; does not listen yet. */
export async function buildHost(options: HostOptions): Promise<Host> {
  const logLevel = options.logLevel ?? 'info';
  const dataDir = options.dataDir ?? './.shoal';
  const limits: TenantLimits = { ...DEFAULT_TENANT_LIMITS, ...options.limits };
  const ownsRuntime = options.runtime === undefined;
  const runtime =
    options.runtime ?? (await RuntimeClass.start({ logLevel, ...options.runtimeOptions, dataDir }));

  const logger: FastifyBaseLogger = pino({ level: logLevel, base: { pid: process.pid, component: 'host' } });
  const app = Fastify({
    loggerInstance: logger,
    // One line per request at info would dominate the log under load; debug and trace keep them.
    logController: new LogController({ disableRequestLogging: logLevel !== 'debug' && logLevel !== 'trace' }),
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    return503OnClosing: true,
  });

  let draining = false;
  const sessionQuota = new SessionQuota(limits.maxSessions, runtime);
  const openStreams = new OpenStreams(options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  const ctx: HostContext = {
    runtime,
    tenancy: new Tenancy(runtime, dataDir),
    sessionQuota,
    streamQuota: new StreamQuota(limits.maxStreams),
    metrics: new HostMetrics(runtime, {
      storedSessions: () => sessionQuota.snapshot(),
      streamBufferedBytes: () => openStreams.bufferedBytes(),
    }),
    openStreams,
    isDraining: () => draining,
    metricsKey: options.metricsKey,
  };

  // "`{ opId? }` or empty" (api.md): an empty JSON body is no body, not a parse error.
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') done(null, undefined);
    else jsonParser(request, text, done);
  });

  app.setErrorHandler((err, request, reply) => {
    const http = toHttpError(err);
    if (http.status >= 500 && http.body.error.code === 'INTERNAL') {
      request.log.error({ err }, 'request failed');
    }
    if (http.retryAfterSeconds !== undefined) reply.header('retry-after', String(http.retryAfterSeconds));
    return reply.code(http.status).send(http.body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` } }),
  );

  const inFlight = new InFlightRequests();
  // Callback-style hooks: they run on every request, and an async hook costs a promise each time.
  app.addHook('onRequest', (request, reply, done) => {
    inFlight.track(reply.raw);
    if (draining && request.url !== '/healthz') done(shuttingDown());
    else done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    ctx.metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  operationRoutes(app, ctx);
  await consoleRoutes(app);
  await app.register(async (v1) => {
    v1.addHook('onRequest', bearerAuth(options.keys));
    await v1.register(rateLimit, {
      global: true,
      max: limits.requestsPerSecond,
      timeWindow: 1000,
      keyGenerator: (request) => request.tenant,
      errorResponseBuilder: (_request, context) =>
        rateLimited(
          `more than ${context.max} requests per second`,
          Math.max(1, Math.ceil(context.ttl / 1000)),
        ),
    });
    sessionRoutes(v1, ctx);
    commandRoutes(v1, ctx);
    streamRoutes(v1, ctx);
  });

  // Count each known tenant's stored sessions now, so the quota and metrics are right from the start.
  await Promise.all(options.keys.tenants().map((t) => sessionQuota.load(t)));

  let closing: Promise<void> | undefined;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;

  /**
   * The order matters: while draining the host still listens, so new requests get a clean 503 (and `/readyz`
   * tells load balancers) instead of a refused connection; streams end first (they would never finish on
   * their own), then in-flight requests are waited for, then the listener closes and the runtime stops.
   */
  async function shutdown(): Promise<void> {
    draining = true;
    await openStreams.endAll();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), shutdownTimeoutMs);
      timer.unref();
    });
    if (await Promise.race([inFlight.whenIdle().then(() => false), timedOut])) {
      app.log.warn(
        { shutdownTimeoutMs, inFlight: inFlight.size },
        'in-flight requests did not finish in time; closing their connections',
      );
      app.server.closeAllConnections();
    }
    clearTimeout(timer);
    await app.close();
    ctx.metrics.close();
    if (ownsRuntime) await runtime.shutdown();
    app.log.info('host stopped');
  }

  return {
    app,
    runtime,
    async listen({ host, port }) {
      await app.listen({ host, port });
      const address = app.server.address();
      if (address === null || typeof address === 'string') return `http://${host}:${port}`;
      const h = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${h}:${address.port}`;
    },
    close() {
      closing ??= shutdown();
      return closing;
    },
  };
}
