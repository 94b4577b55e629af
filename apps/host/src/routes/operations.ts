import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { bearerKey, challenge } from '../auth/authenticate.js';
import { digestOf } from '../auth/keys.js';
import type { HostContext } from '../context.js';
import { HostError, shuttingDown } from '../errors.js';

/** api.md: `/healthz` (liveness), `/readyz` (started and not draining), `/metrics` (Prometheus text). */
export function operationRoutes(app: FastifyInstance, ctx: HostContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async () => {
    if (ctx.isDraining()) {
      throw shuttingDown();
    }
    return { status: 'ready' };
  });

  const metricsDigest = ctx.metricsKey === undefined ? undefined : digestOf(ctx.metricsKey);
  app.get('/metrics', async (request, reply) => {
    if (metricsDigest !== undefined) {
      const key = bearerKey(request.headers.authorization);
      if (key === undefined || !timingSafeEqual(digestOf(key), metricsDigest)) {
        reply.header('www-authenticate', challenge(key !== undefined));
        throw new HostError('UNAUTHORIZED', 401, 'the metrics key is required');
      }
    }
    const text = await ctx.metrics.registry.metrics();
    return reply.type(ctx.metrics.registry.contentType).send(text);
  });
}
