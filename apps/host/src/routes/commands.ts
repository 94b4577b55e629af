import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HostContext } from '../context.js';
import {
  AgentBody,
  ApprovalBody,
  ApprovalParams,
  BashBody,
  CancelBody,
  CompactBody,
  EditBody,
  EmptyBody,
  InputBody,
  parse,
  parseOptionalBody,
  SessionParams,
} from '../validation.js';

/**
 * api.md: the session commands. Each validates its path and body (400), checks the session is the caller's
 * (404 otherwise), then calls the runtime; a 2xx means the runtime call resolved, so its events are durable.
 */
export function commandRoutes(app: FastifyInstance, ctx: HostContext): void {
  const { runtime, tenancy, metrics } = ctx;

  /** The session id of a per-session route, once the caller is known to own it. */
  async function ownedSession(request: FastifyRequest): Promise<string> {
    const { id } = parse(SessionParams, request.params, 'path');
    await tenancy.assertOwned(request.tenant, id);
    return id;
  }

  const noContent = (reply: FastifyReply) => reply.code(204).send();

  app.post('/v1/sessions/:id/input', async (request, reply) => {
    const body = parse(InputBody, request.body, 'body');
    const id = await ownedSession(request);
    const r = await metrics.command('input', () => runtime.submitUserInput(id, body.text, body.model));
    return reply.code(202).send({ opId: r.opId, messageId: r.messageId });
  });

  app.post('/v1/sessions/:id/approvals/:requestId', async (request, reply) => {
    const { requestId } = parse(ApprovalParams, request.params, 'path');
    const body = parse(ApprovalBody, request.body, 'body');
    const id = await ownedSession(request);
    await metrics.command('approval', () =>
      runtime.submitToolApproval(id, requestId, body.approved, body.remember),
    );
    return noContent(reply);
  });

  app.post('/v1/sessions/:id/cancel', async (request, reply) => {
    const body = parseOptionalBody(CancelBody, request.body);
    const id = await ownedSession(request);
    await metrics.command('cancel', () => runtime.cancelOperation(id, body.opId));
    return noContent(reply);
  });

  app.post('/v1/sessions/:id/bash', async (request, reply) => {
    const body = parse(BashBody, request.body, 'body');
    const id = await ownedSession(request);
    const opId = await metrics.command('bash', () => runtime.executeBashCommand(id, body.command));
    return reply.code(202).send({ opId });
  });

  app.post('/v1/sessions/:id/compact', async (request, reply) => {
    const body = parseOptionalBody(CompactBody, request.body);
    const id = await ownedSession(request);
    const opId = await metrics.command('compact', () => runtime.compactSession(id, body.model));
    return reply.code(202).send({ opId });
  });

  app.post('/v1/sessions/:id/agent', async (request, reply) => {
    const body = parse(AgentBody, request.body, 'body');
    const id = await ownedSession(request);
    await metrics.command('agent', () => runtime.switchPrimaryAgent(id, body.agentId));
    return noContent(reply);
  });

  app.post('/v1/sessions/:id/edit', async (request, reply) => {
    const body = parse(EditBody, request.body, 'body');
    const id = await ownedSession(request);
    const opId = await metrics.command('edit', () =>
      runtime.submitEditedMessage(id, body.messageId, body.text, body.model),
    );
    return reply.code(202).send({ opId });
  });

  app.post('/v1/sessions/:id/dequeue', async (request, reply) => {
    parseOptionalBody(EmptyBody, request.body);
    const id = await ownedSession(request);
    await metrics.command('dequeue', () => runtime.submitDequeueQueuedItem(id));
    return noContent(reply);
  });
}
