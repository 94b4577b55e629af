import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, startTestHost, type TestHost } from './test-support/host-harness.js';
import { waitFor } from './test-support/wait.js';

let t: TestHost;
beforeAll(async () => {
  t = await startTestHost();
});
afterAll(async () => {
  await t.close();
});

interface Row {
  id: string;
  status: string;
  title?: string;
  messageCount: number;
  createdAt: number;
}

async function row(id: string): Promise<Row | undefined> {
  const r = await t.api('/v1/sessions?limit=500');
  expect(r.status).toBe(200);
  return (r.json.sessions as Row[]).find((s) => s.id === id);
}

const withStatus = (id: string, status: string) =>
  waitFor(`session ${id} ${status}`, async () => {
    const r = await row(id);
    return r?.status === status ? r : undefined;
  });

describe('GET /v1/sessions status', () => {
  it('reports idle, running and waiting for approval, with title, message count and created time', async () => {
    const before = Date.now();
    const id = await createSession(t, { title: 'status check' });
    const idle = await withStatus(id, 'idle');
    expect(idle).toMatchObject({ title: 'status check', messageCount: 0 });
    expect(idle.createdAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);

    const sleeping = await t.api(`/v1/sessions/${id}/input`, { body: { text: '/sleep 60000' } });
    expect(sleeping.status).toBe(202);
    await withStatus(id, 'running');
    expect((await t.api(`/v1/sessions/${id}/cancel`, { body: {} })).status).toBe(204);
    await withStatus(id, 'idle');

    expect(
      (await t.api(`/v1/sessions/${id}/input`, { body: { text: '/tool bash {"command": "true"}' } })).status,
    ).toBe(202);
    const waiting = await withStatus(id, 'waiting_for_approval');
    expect(waiting.messageCount).toBeGreaterThan(0);
  });

  it('reports a suspended session idle without resuming it', async () => {
    const id = await createSession(t);
    await t.host.runtime.suspendSession(id);
    expect(await t.host.runtime.isSessionActive(id)).toBe(false);
    expect((await row(id))?.status).toBe('idle');
    expect(await t.host.runtime.isSessionActive(id)).toBe(false);
  });
});
