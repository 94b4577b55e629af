import type { FastifyInstance } from 'fastify';
import type { HostContext } from '../context.js';
import { sessionStatus } from '../session-status.js';
import { TENANT_METADATA_KEY } from '../tenancy.js';
import {
  CreateSessionBody,
  ListQuery,
  parse,
  parseOptionalBody,
  refuseWorkspace,
  SessionParams,
} from '../validation.js';

/** api.md: create, list, read and delete sessions, each scoped to the caller's tenant. */
export function sessionRoutes(app: FastifyInstance, ctx: HostContext): void {
  const { runtime, tenancy, sessionQuota } = ctx;

  app.post('/v1/sessions', async (request, reply) => {
    refuseWorkspace(request.body);
    const body = parseOptionalBody(CreateSessionBody, request.body);
    const tenant = request.tenant;
    await sessionQuota.acquire(tenant);
    let id: string;
    try {
      id = await ctx.metrics.command('create', () =>
        runtime.createSession({
          ...body,
          metadata: { ...body.metadata, [TENANT_METADATA_KEY]: tenant },
          workspace: tenancy.newWorkspace(tenant),
        }),
      );
    } catch (err) {
      sessionQuota.release(tenant);
      throw err;
    }
    tenancy.remember(id, tenant);
    return reply.code(201).header('location', `/v1/sessions/${id}`).send({ id });
  });

  app.get('/v1/sessions', async (request) => {
    const query = parse(ListQuery, request.query, 'query');
    const page = await runtime.listSessions({
      metadataFilter: { key: TENANT_METADATA_KEY, value: request.tenant },
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    });
    const sessions = await Promise.all(
      page.sessions.map(async (s) => ({ ...s, status: await sessionStatus(runtime, s.id) })),
    );
    return { sessions, nextCursor: page.nextCursor };
  });

  app.get('/v1/sessions/:id', async (request) => {
    const { id } = parse(SessionParams, request.params, 'path');
    await tenancy.assertOwned(request.tenant, id);
    return runtime.getSessionState(id);
  });

  app.delete('/v1/sessions/:id', async (request, reply) => {
    const { id } = parse(SessionParams, request.params, 'path');
    await tenancy.assertOwned(request.tenant, id);
    await ctx.metrics.command('delete', () => runtime.deleteSession(id));
    // Two concurrent deletes both succeed (deletion is idempotent); only the one that forgets the owner
    // gives the quota back.
    if (tenancy.forget(id)) sessionQuota.release(request.tenant);
    return reply.code(204).send();
  });
}
