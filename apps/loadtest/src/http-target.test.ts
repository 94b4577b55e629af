import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpTarget } from './http-target.js';
import { DEFAULT_MIX } from './mix.js';
import { runLoad } from './run-load.js';
import { TargetCallError } from './target.js';
import { type RunningHost, startHost } from './test-support/host-process.js';

/** The harness against a real `shoal-host` on a loopback port, over HTTP and SSE only. */
describe('--target: a real shoal-host', () => {
  let dir: string;
  let host: RunningHost;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shoal-loadtest-host-'));
    host = await startHost({ dataDir: join(dir, 'data'), apiKeys: 'acme:k-acme,globex:k-globex', shards: 1 });
  }, 120_000);
  afterAll(async () => {
    const code = host === undefined ? 0 : await host.stop();
    await rm(dir, { recursive: true, force: true });
    expect(code).toBe(0); // a graceful shutdown
  }, 60_000);

  it('runs every kind with the same checks and report', { timeout: 180_000 }, async () => {
    const report = await runLoad({
      target: host.url,
      apiKey: 'k-acme',
      sessions: 4,
      turns: 7,
      mix: DEFAULT_MIX,
      busyMs: 1500, // over HTTP the queued inputs follow the busy turn one round trip at a time
      quiet: true,
    });
    expect(report.errorSamples).toEqual([]);
    expect(report.errors).toBe(0);
    expect(report).toMatchObject({
      target: host.url,
      sessions: 4,
      turns: 28,
      verified: true,
      shards: null,
      store: null,
      durability: null,
      dataDir: null,
    });
    expect(report.events).toBeGreaterThan(28 * 3);
    expect(Object.keys(report.kinds).length).toBeGreaterThan(6);
    expect(report.config).not.toHaveProperty('apiKey');
  });

  it('runs an open loop against the host', { timeout: 120_000 }, async () => {
    const report = await runLoad({
      target: host.url,
      apiKey: 'k-globex',
      sessions: 3,
      rate: 20,
      duration: 1,
      mix: { echo: 2, bash: 1, cancel: 1 },
      quiet: true,
    });
    expect(report.errorSamples).toEqual([]);
    expect(report).toMatchObject({ mode: 'open', latencyFrom: 'scheduled', turns: 20, errors: 0 });
  });

  it('maps the host errors: a wrong key, a session of another tenant, an empty queue', {
    timeout: 60_000,
  }, async () => {
    const wrong = new HttpTarget(host.url, 'not-a-key');
    const unauthorized = await wrong.createSession({}).catch((e: unknown) => e);
    expect(unauthorized).toBeInstanceOf(TargetCallError);
    expect((unauthorized as TargetCallError).code).toBe('UNAUTHORIZED');
    await wrong.close();

    const acme = new HttpTarget(host.url, 'k-acme');
    const globex = new HttpTarget(host.url, 'k-globex');
    const id = await acme.createSession({ loadtest: 'x' });
    const hidden = await globex.submitInput(id, 'hello').catch((e: unknown) => e);
    expect((hidden as TargetCallError).code).toBe('SESSION_NOT_FOUND');
    const empty = await acme.dequeue(id).catch((e: unknown) => e);
    expect(empty).toMatchObject({ code: 'INVALID_INPUT', kind: 'QueueEmpty' });
    const log = await acme.readLog(id);
    expect(log.map((e) => e.event.type)).toEqual(['SessionCreated']);
    await Promise.all([acme.close(), globex.close()]);
  });

  it('fails the run with a clear sample when the key is refused', { timeout: 60_000 }, async () => {
    const report = await runLoad({ target: host.url, apiKey: 'nope', sessions: 2, turns: 1, quiet: true });
    expect(report.sessions).toBe(0);
    expect(report.errorBreakdown.rejectedCalls).toBe(2);
    expect(report.errorSamples[0]).toContain('UNAUTHORIZED');
  });
});
