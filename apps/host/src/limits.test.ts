import { describe, expect, it } from 'vitest';
import {
  ACME_KEY,
  type ApiResponse,
  createSession,
  GLOBEX_KEY,
  startTestHost,
  type TestHost,
} from './test-support/host-harness.js';
import { openStream, readUntil } from './test-support/sse-reader.js';
import { waitFor } from './test-support/wait.js';

function expectTooMany(r: ApiResponse): void {
  expect(r.status).toBe(429);
  expect(r.json.error.code).toBe('RATE_LIMITED');
  expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
}

describe('per-tenant limits', () => {
  it('limits stored sessions per tenant, counted from the store on restart', async () => {
    const t = await startTestHost({ limits: { maxSessions: 2 } });
    let restarted: TestHost | undefined;
    try {
      const a = await createSession(t);
      await createSession(t);
      expectTooMany(await t.api('/v1/sessions', { method: 'POST' }));
      // Another tenant has its own quota.
      await createSession(t, {}, GLOBEX_KEY);
      expect((await t.api(`/v1/sessions/${a}`, { method: 'DELETE' })).status).toBe(204);
      await createSession(t);
      expectTooMany(await t.api('/v1/sessions', { method: 'POST' }));
      await t.host.close();
      restarted = await startTestHost({ limits: { maxSessions: 2 }, dataDir: t.dataDir });
      expectTooMany(await restarted.api('/v1/sessions', { method: 'POST' }));
    } finally {
      await (restarted ?? t).close();
      await t.close();
    }
  });

  it('limits requests per second per tenant with 429 and Retry-After', async () => {
    const t = await startTestHost({ limits: { requestsPerSecond: 3 } });
    try {
      const limited = await waitFor('a rate-limited request', async () => {
        const burst = await Promise.all(Array.from({ length: 20 }, () => t.api('/v1/sessions')));
        for (const r of burst) expect([200, 429]).toContain(r.status);
        return burst.find((r) => r.status === 429);
      });
      expectTooMany(limited);
      expect(limited.headers.get('x-ratelimit-limit')).toBe('3');
      // Only /v1 is limited, and per tenant: health checks still answer.
      expect((await t.api('/healthz', { key: null })).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('limits open streams per tenant', async () => {
    const t = await startTestHost({ limits: { maxStreams: 1 } });
    try {
      const id = await createSession(t);
      const first = await openStream(`${t.url}/v1/sessions/${id}/events`, ACME_KEY);
      await readUntil(first.messages, (m) => m.event === 'SessionCreated');
      expectTooMany(await t.api(`/v1/sessions/${id}/deltas`));
      const other = await createSession(t, {}, GLOBEX_KEY);
      const globex = await openStream(`${t.url}/v1/sessions/${other}/events`, GLOBEX_KEY);
      expect(globex.res.status).toBe(200);
      globex.abort();
      first.abort();
      // The slot is given back once the host sees the client go.
      const again = await waitFor('a free stream slot', async () => {
        const s = await openStream(`${t.url}/v1/sessions/${id}/events`, ACME_KEY);
        if (s.res.status === 200) return s;
        await s.res.body?.cancel();
        return undefined;
      });
      again.abort();
    } finally {
      await t.close();
    }
  });
});

it('answers OVERLOADED from the runtime with 503 and Retry-After', async () => {
  const t = await startTestHost({ runtimeOptions: { limits: { maxPendingPerShard: 1 } } });
  try {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await createSession(t));
    const overloaded = await waitFor('an OVERLOADED answer', async () => {
      const burst = await Promise.all(
        ids.map((id) => t.api(`/v1/sessions/${id}/input`, { body: { text: 'hi' } })),
      );
      for (const r of burst) expect([202, 503]).toContain(r.status);
      return burst.find((r) => r.status === 503);
    });
    expect(overloaded.json.error.code).toBe('OVERLOADED');
    expect(overloaded.headers.get('retry-after')).toBe('1');
  } finally {
    await t.close();
  }
});
