import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACME_KEY,
  createSession,
  GLOBEX_KEY,
  startTestHost,
  type TestHost,
} from './test-support/host-harness.js';
import { waitFor } from './test-support/wait.js';

let t: TestHost;

beforeAll(async () => {
  t = await startTestHost();
});
afterAll(async () => {
  await t.close();
});

async function idle(id: string): Promise<void> {
  await waitFor('the operation to end', async () => {
    const r = await t.api(`/v1/sessions/${id}`);
    return r.json.currentOperation === null ? true : undefined;
  });
}

describe('operations', () => {
  it('answers /healthz, /readyz and /metrics without auth', async () => {
    expect((await t.api('/healthz', { key: null })).json).toEqual({ status: 'ok' });
    expect((await t.api('/readyz', { key: null })).json).toEqual({ status: 'ready' });
    const res = await fetch(`${t.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    for (const name of [
      'shoal_http_requests_total',
      'shoal_http_request_duration_seconds',
      'shoal_sessions_active',
      'shoal_sessions_stored',
      'shoal_commands_total',
      'shoal_events_appended_total',
      'shoal_append_duration_seconds',
      'shoal_open_streams',
      'shoal_shard_queue_depth',
      'shoal_worker_event_loop_utilization',
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text, name).toContain(`# TYPE ${name}`);
    }
  });

  it('counts requests, commands and appended events', async () => {
    const id = await createSession(t);
    await t.api(`/v1/sessions/${id}/input`, { body: { text: 'count me' } });
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).toMatch(
      /shoal_http_requests_total\{method="POST",route="\/v1\/sessions",status="201"\} [1-9]/,
    );
    expect(text).toMatch(/shoal_commands_total\{command="input",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/shoal_events_appended_total [1-9]/);
    expect(text).toMatch(/shoal_sessions_stored\{tenant="acme"\} [1-9]/);
  });

  it('answers an unknown route with 404 in the error shape', async () => {
    const r = await t.api('/v2/nothing');
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('NOT_FOUND');
  });
});

describe('authentication', () => {
  it('refuses a missing, malformed or unknown key with 401 and WWW-Authenticate', async () => {
    const none = await t.api('/v1/sessions', { key: null });
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe('UNAUTHORIZED');
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="shoal"');

    const basic = await t.api('/v1/sessions', { key: null, headers: { authorization: 'Basic YTpi' } });
    expect(basic.status).toBe(401);

    const unknown = await t.api('/v1/sessions', { key: 'not-a-key' });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toContain('error="invalid_token"');
    // A key that differs from a real one in its last character is just as unknown.
    expect((await t.api('/v1/sessions', { key: `${ACME_KEY.slice(0, -1)}X` })).status).toBe(401);
  });

  it('requires auth on every /v1 route, before anything else is looked at', async () => {
    const id = await createSession(t);
    for (const [method, path] of perSessionRoutes(id).concat([
      ['POST', '/v1/sessions'],
      ['GET', '/v1/sessions'],
    ])) {
      const r = await t.api(path, { method, key: null });
      expect(r.status, `${method} ${path}`).toBe(401);
    }
  });

  it('requires the metrics key when one is set', async () => {
    const m = await startTestHost({ metricsKey: 'scrape-key' });
    try {
      expect((await m.api('/metrics', { key: null })).status).toBe(401);
      expect((await m.api('/metrics', { key: 'wrong' })).status).toBe(401);
      const ok = await fetch(`${m.url}/metrics`, { headers: { authorization: 'Bearer scrape-key' } });
      expect(ok.status).toBe(200);
      await ok.text();
    } finally {
      await m.close();
    }
  });
});

function perSessionRoutes(id: string): Array<[string, string]> {
  return [
    ['GET', `/v1/sessions/${id}`],
    ['DELETE', `/v1/sessions/${id}`],
    ['POST', `/v1/sessions/${id}/input`],
    ['POST', `/v1/sessions/${id}/approvals/some-request`],
    ['POST', `/v1/sessions/${id}/cancel`],
    ['POST', `/v1/sessions/${id}/bash`],
    ['POST', `/v1/sessions/${id}/compact`],
    ['POST', `/v1/sessions/${id}/agent`],
    ['POST', `/v1/sessions/${id}/edit`],
    ['POST', `/v1/sessions/${id}/dequeue`],
    ['GET', `/v1/sessions/${id}/events`],
    ['GET', `/v1/sessions/${id}/deltas`],
  ];
}

/** A body that is valid for each route, so only ownership can fail. */
function validBody(path: string): unknown {
  if (path.endsWith('/input')) return { text: 'hi' };
  if (path.includes('/approvals/')) return { approved: true };
  if (path.endsWith('/bash')) return { command: 'echo hi' };
  if (path.endsWith('/agent')) return { agentId: 'plan' };
  if (path.endsWith('/edit')) return { messageId: 'm', text: 'hi' };
  return undefined;
}

describe('tenancy', () => {
  it('answers another tenant 404 on every per-session route, exactly as for an unknown id, and changes nothing', async () => {
    const id = await createSession(t, { title: 'acme only' });
    const before = (await t.api(`/v1/sessions/${id}`)).json;
    for (const [method, path] of perSessionRoutes(id)) {
      const foreign = await t.api(path, { method, key: GLOBEX_KEY, body: validBody(path) });
      expect(foreign.status, `${method} ${path}`).toBe(404);
      expect(foreign.json.error.code).toBe('SESSION_NOT_FOUND');
      const unknownPath = path.replace(id, '00000000-0000-4000-8000-000000000000');
      const unknown = await t.api(unknownPath, { method, key: GLOBEX_KEY, body: validBody(path) });
      expect(unknown.status).toBe(404);
      expect(unknown.json.error.message).toBe(
        foreign.json.error.message.replace(id, '00000000-0000-4000-8000-000000000000'),
      );
    }
    const after = (await t.api(`/v1/sessions/${id}`)).json;
    expect(after.eventSequence).toBe(before.eventSequence);
  });

  it('lists only the caller’s sessions, newest first, paged with limit and cursor', async () => {
    const own: string[] = [];
    for (let i = 0; i < 5; i++) own.push(await createSession(t, { metadata: { n: String(i) } }, GLOBEX_KEY));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${encodeURIComponent(cursor)}`;
      const r = await t.api(`/v1/sessions${q}`, { key: GLOBEX_KEY });
      expect(r.status).toBe(200);
      expect(r.json.sessions.length).toBeLessThanOrEqual(2);
      for (const s of r.json.sessions) {
        expect(s.metadata.tenant).toBe('globex');
        seen.push(s.id);
      }
      cursor = r.json.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(new Set(seen)).toEqual(new Set(own));
    expect(seen.length).toBe(own.length);
    // Newest first: updatedAt never increases down the list.
    const all = (await t.api('/v1/sessions?limit=500', { key: GLOBEX_KEY })).json.sessions;
    for (let i = 1; i < all.length; i++)
      expect(all[i - 1].updatedAt).toBeGreaterThanOrEqual(all[i].updatedAt);
    // acme sees none of globex's sessions.
    const acme = (await t.api('/v1/sessions?limit=500')).json.sessions.map((s: { id: string }) => s.id);
    for (const id of own) expect(acme).not.toContain(id);
  });

  it('refuses bad listing parameters with 400', async () => {
    for (const q of ['?limit=0', '?limit=abc', '?limit=100000', '?cursor=%21%21', '?other=1']) {
      const r = await t.api(`/v1/sessions${q}`);
      expect(r.status, q).toBe(400);
      expect(['BAD_REQUEST', 'INVALID_INPUT']).toContain(r.json.error.code);
    }
  });

  it('records the tenant in the session and puts its workspace under the tenant’s directory', async () => {
    const id = await createSession(t, { metadata: { team: 'blue' } });
    const state = (await t.api(`/v1/sessions/${id}`)).json;
    expect(state.config.metadata).toEqual({ team: 'blue', tenant: 'acme' });
    expect(state.config.workspace.path.startsWith(`${t.dataDir}/workspaces/tenants/acme/`)).toBe(true);
  });
});

describe('POST /v1/sessions', () => {
  it('creates a session with the given config', async () => {
    const r = await t.api('/v1/sessions', {
      body: { title: 'hello', primaryAgentId: 'plan', systemPrompt: 'be brief' },
    });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe(`/v1/sessions/${r.json.id}`);
    const state = (await t.api(`/v1/sessions/${r.json.id}`)).json;
    expect(state.sessionId).toBe(r.json.id);
    expect(state.primaryAgentId).toBe('plan');
  });

  it('creates a session from an empty body or no body', async () => {
    expect((await t.api('/v1/sessions', { method: 'POST' })).status).toBe(201);
    expect((await t.api('/v1/sessions', { method: 'POST', rawBody: '' })).status).toBe(201);
    expect((await t.api('/v1/sessions', { body: {} })).status).toBe(201);
  });

  it('refuses a client-chosen workspace with 400 and creates nothing', async () => {
    const before = (await t.api('/v1/sessions?limit=500')).json.sessions.length;
    const r = await t.api('/v1/sessions', { body: { workspace: { type: 'local', path: '/etc' } } });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('BAD_REQUEST');
    expect(r.json.error.details[0].path).toEqual(['workspace']);
    expect((await t.api('/v1/sessions?limit=500')).json.sessions.length).toBe(before);
  });

  it('refuses bad bodies with 400 and the zod issues', async () => {
    const bad: unknown[] = [
      { title: 5 },
      { primaryAgentId: 'nope' },
      { unknownField: true },
      { metadata: { tenant: 'globex' } },
      { defaultModel: { provider: '' } },
      [],
      'text',
    ];
    for (const body of bad) {
      const r = await t.api('/v1/sessions', { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.code).toBe('BAD_REQUEST');
      expect(Array.isArray(r.json.error.details)).toBe(true);
    }
    const malformed = await t.api('/v1/sessions', { rawBody: '{"title":' });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.code).toBe('BAD_REQUEST');
  });
});

describe('per-session routes', () => {
  it('GET returns the snapshot; DELETE removes the session', async () => {
    const id = await createSession(t);
    const s = await t.api(`/v1/sessions/${id}`);
    expect(s.status).toBe(200);
    expect(s.json).toMatchObject({ sessionId: id, currentOperation: null, pendingApproval: null });
    const del = await t.api(`/v1/sessions/${id}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect((await t.api(`/v1/sessions/${id}`)).status).toBe(404);
    expect((await t.api(`/v1/sessions/${id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('input: 202 with op and message ids, events durable; bad bodies 400', async () => {
    const id = await createSession(t);
    const r = await t.api(`/v1/sessions/${id}/input`, { body: { text: 'hello' } });
    expect(r.status).toBe(202);
    expect(Object.keys(r.json).sort()).toEqual(['messageId', 'opId']);
    const state = (await t.api(`/v1/sessions/${id}`)).json;
    expect(state.messages.some((m: { id: string }) => m.id === r.json.messageId)).toBe(true);

    for (const body of [{}, { text: 5 }, { text: 'x', extra: 1 }, { text: 'x', model: { id: 'm' } }]) {
      const bad = await t.api(`/v1/sessions/${id}/input`, { body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.json.error.code).toBe('BAD_REQUEST');
    }
    const empty = await t.api(`/v1/sessions/${id}/input`, { body: { text: '   ' } });
    expect(empty.status).toBe(400);
    expect(empty.json.error).toMatchObject({ code: 'INVALID_INPUT', kind: 'EmptyInput' });
  });

  it('approvals: 204 for a pending tool call; bad bodies 400', async () => {
    const id = await createSession(t);
    await t.api(`/v1/sessions/${id}/input`, { body: { text: '/tool bash {"command":"echo approved"}' } });
    const requestId = await waitFor('an approval request', async () => {
      const s = (await t.api(`/v1/sessions/${id}`)).json;
      return s.pendingApproval?.requestId as string | undefined;
    });
    for (const body of [{}, { approved: 'yes' }, { approved: true, remember: { type: 'Nope' } }]) {
      const bad = await t.api(`/v1/sessions/${id}/approvals/${requestId}`, { body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
    }
    const ok = await t.api(`/v1/sessions/${id}/approvals/${requestId}`, { body: { approved: true } });
    expect(ok.status).toBe(204);
    await idle(id);
    const s = (await t.api(`/v1/sessions/${id}`)).json;
    expect(JSON.stringify(s.messages)).toContain('approved');
  });

  it('cancel: 204 with or without a body; bad bodies 400', async () => {
    const id = await createSession(t);
    const op = await t.api(`/v1/sessions/${id}/input`, { body: { text: '/sleep 60000' } });
    expect((await t.api(`/v1/sessions/${id}/cancel`, { body: { opId: op.json.opId } })).status).toBe(204);
    await idle(id);
    expect((await t.api(`/v1/sessions/${id}/cancel`, { method: 'POST' })).status).toBe(204);
    expect((await t.api(`/v1/sessions/${id}/cancel`, { body: { opId: 5 } })).status).toBe(400);
  });

  it('bash: 202 with an op id; an empty command is INVALID_INPUT', async () => {
    const id = await createSession(t);
    const r = await t.api(`/v1/sessions/${id}/bash`, { body: { command: 'echo from-bash' } });
    expect(r.status).toBe(202);
    expect(typeof r.json.opId).toBe('string');
    await idle(id);
    expect(JSON.stringify((await t.api(`/v1/sessions/${id}`)).json.messages)).toContain('from-bash');
    const empty = await t.api(`/v1/sessions/${id}/bash`, { body: { command: ' ' } });
    expect(empty.status).toBe(400);
    expect(empty.json.error.kind).toBe('EmptyInput');
    expect((await t.api(`/v1/sessions/${id}/bash`, { body: {} })).status).toBe(400);
  });

  it('compact: 202 with an op id; 409 while an operation is in flight', async () => {
    const id = await createSession(t);
    await t.api(`/v1/sessions/${id}/input`, { body: { text: 'something to compact' } });
    await idle(id);
    const r = await t.api(`/v1/sessions/${id}/compact`, { method: 'POST' });
    expect(r.status).toBe(202);
    expect(typeof r.json.opId).toBe('string');
    await idle(id);
    await t.api(`/v1/sessions/${id}/input`, { body: { text: '/sleep 60000' } });
    const busy = await t.api(`/v1/sessions/${id}/compact`, { body: {} });
    expect(busy.status).toBe(409);
    expect(busy.json.error).toMatchObject({ code: 'INVALID_INPUT', kind: 'OperationInFlight' });
    await t.api(`/v1/sessions/${id}/cancel`, { method: 'POST' });
    expect((await t.api(`/v1/sessions/${id}/compact`, { body: { model: 'x' } })).status).toBe(400);
  });

  it('agent: 204; an unknown agent is INVALID_INPUT', async () => {
    const id = await createSession(t);
    expect((await t.api(`/v1/sessions/${id}/agent`, { body: { agentId: 'plan' } })).status).toBe(204);
    expect((await t.api(`/v1/sessions/${id}`)).json.primaryAgentId).toBe('plan');
    const unknown = await t.api(`/v1/sessions/${id}/agent`, { body: { agentId: 'nope' } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe('INVALID_INPUT');
    expect((await t.api(`/v1/sessions/${id}/agent`, { body: {} })).status).toBe(400);
  });

  it('edit: 202 with an op id; bad bodies 400', async () => {
    const id = await createSession(t);
    const first = await t.api(`/v1/sessions/${id}/input`, { body: { text: 'first' } });
    await idle(id);
    const r = await t.api(`/v1/sessions/${id}/edit`, {
      body: { messageId: first.json.messageId, text: 'edited' },
    });
    expect(r.status).toBe(202);
    expect(typeof r.json.opId).toBe('string');
    await idle(id);
    expect(JSON.stringify((await t.api(`/v1/sessions/${id}`)).json.messages)).toContain('edited');
    expect((await t.api(`/v1/sessions/${id}/edit`, { body: { text: 'x' } })).status).toBe(400);
  });

  it('dequeue: 204 for a queued input; QueueEmpty is INVALID_INPUT', async () => {
    const id = await createSession(t);
    const empty = await t.api(`/v1/sessions/${id}/dequeue`, { method: 'POST' });
    expect(empty.status).toBe(400);
    expect(empty.json.error.kind).toBe('QueueEmpty');
    await t.api(`/v1/sessions/${id}/input`, { body: { text: '/sleep 60000' } });
    await t.api(`/v1/sessions/${id}/input`, { body: { text: 'queued' } });
    expect((await t.api(`/v1/sessions/${id}`)).json.queuedWork.length).toBe(1);
    expect((await t.api(`/v1/sessions/${id}/dequeue`, { method: 'POST' })).status).toBe(204);
    expect((await t.api(`/v1/sessions/${id}/dequeue`, { body: { x: 1 } })).status).toBe(400);
    await t.api(`/v1/sessions/${id}/cancel`, { method: 'POST' });
  });

  it('refuses a wrong content type and a body over the limit', async () => {
    const id = await createSession(t);
    const res = await fetch(`${t.url}/v1/sessions/${id}/input`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ACME_KEY}`, 'content-type': 'application/xml' },
      body: '<text>hello</text>',
    });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
    const big = await t.api(`/v1/sessions/${id}/input`, { body: { text: 'x'.repeat(2 * 1024 * 1024) } });
    expect(big.status).toBe(413);
  });
});
