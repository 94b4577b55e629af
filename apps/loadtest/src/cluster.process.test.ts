import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type StoredEvent, shardOf } from '@shoal/shared';
import { startTestPostgres, type TestPostgres } from '@shoal/store/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpTarget } from './http-target.js';
import { TargetCallError } from './target.js';
import { ClusterHost, LeaseTableReader } from './test-support/cluster-hosts.js';

// Three real `shoal-host` cluster nodes and one real PostgreSQL on loopback. Short leases keep the test
// quick; every wait is for a signal (a lease row, an acknowledged call, a log line) with a generous deadline.
const LOGICAL_SHARDS = 32;
const TTL = 2_000;
const KEYS = 'acme:k-acme,globex:k-globex';

let server: TestPostgres;
let dir: string;
let hosts: ClusterHost[] = [];
let leases: LeaseTableReader | undefined;

beforeAll(async () => {
  server = await startTestPostgres();
  dir = await mkdtemp(join(tmpdir(), 'shoal-host-cluster-'));
}, 180_000);

afterEach(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
  hosts = [];
  await leases?.close();
  leases = undefined;
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  deadlineMs: number,
): Promise<T> {
  const end = performance.now() + deadlineMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function startCluster(ids: string[]): Promise<ClusterHost[]> {
  const postgresUrl = await server.createDatabase();
  leases = new LeaseTableReader(postgresUrl);
  const started = await Promise.all(
    ids.map((nodeId) =>
      ClusterHost.start({
        nodeId,
        postgresUrl,
        dataDir: join(dir, nodeId),
        apiKeys: KEYS,
        logicalShards: LOGICAL_SHARDS,
        leaseTtlMs: TTL,
      }),
    ),
  );
  hosts.push(...started);
  await waitForCoverage(started);
  return started;
}

/** Every shard under a live lease of a live node, and each live node holding some (placement settled). */
async function waitForCoverage(among: ClusterHost[]): Promise<void> {
  const live = among.filter((h) => h.alive).map((h) => h.nodeId);
  await waitFor(
    `every shard leased to one of ${live.join(', ')}`,
    async () => {
      if (!(await leases!.coveredBy(live, LOGICAL_SHARDS))) return false;
      const owners = new Set((await leases!.leases()).map((r) => r.owner));
      return live.every((id) => owners.has(id));
    },
    TTL + 60_000,
  );
}

/** A session of `tenant` created through `via` whose shard `owner` holds now. */
async function sessionOwnedBy(via: HttpTarget, owner: ClusterHost): Promise<string> {
  const held = new Set(await leases!.heldBy(owner.nodeId));
  for (;;) {
    const id = await via.createSession({});
    if (held.has(shardOf(id, LOGICAL_SHARDS))) return id;
  }
}

function userTexts(events: readonly StoredEvent[]): string[] {
  const out: string[] = [];
  for (const { event } of events) {
    if (event.type !== 'UserMessageAdded') continue;
    for (const c of event.message.content) if (c.type === 'text') out.push(c.text);
  }
  return out;
}

describe('shoal-host cluster nodes sharing one PostgreSQL', () => {
  it('serves every route from any node, keeps tenants apart and lists a tenant’s sessions across the cluster', {
    timeout: 300_000,
  }, async () => {
    const [a, b, c] = await startCluster(['node-a', 'node-b', 'node-c']);
    const acme = [a!, b!, c!].map((h) => new HttpTarget(h.url, 'k-acme'));
    const globex = [a!, b!, c!].map((h) => new HttpTarget(h.url, 'k-globex'));
    try {
      // Created on a, owned by b, driven through c, read through a: every hop is the cluster's.
      const id = await sessionOwnedBy(acme[0]!, b!);
      await acme[2]!.submitInput(id, 'hello from c');
      const log = await waitFor(
        'the reply',
        async () => {
          const events = await acme[0]!.readLog(id);
          return events.some((e) => e.event.type === 'OperationCompleted') && events;
        },
        60_000,
      );
      expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i));
      expect(userTexts(log)).toEqual(['hello from c']);

      // Another tenant gets the unknown-id answer from every node, and its calls change nothing.
      for (const g of globex) {
        const err = await g.submitInput(id, 'intrusion').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(TargetCallError);
        expect((err as TargetCallError).code).toBe('SESSION_NOT_FOUND');
      }
      const mine = [id];
      for (let i = 0; i < 5; i++) mine.push(await acme[i % 3]!.createSession({}));
      const theirs = [await globex[1]!.createSession({}), await globex[2]!.createSession({})];

      // The listing comes from PostgreSQL's catalog: the same, whole list on every node.
      for (const h of [a!, b!, c!]) {
        expect((await listIds(h.url, 'k-acme')).sort()).toEqual([...mine].sort());
        expect((await listIds(h.url, 'k-globex')).sort()).toEqual([...theirs].sort());
      }
      expect(userTexts(await acme[1]!.readLog(id))).toEqual(['hello from c']);
    } finally {
      await Promise.all([...acme, ...globex].map((t) => t.close()));
    }
  });
});

/** Every session id of the caller's tenant, through `GET /v1/sessions` pages of 2 (so the cursor is used). */
async function listIds(baseUrl: string, apiKey: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (;;) {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const response = await fetch(`${baseUrl}/v1/sessions?limit=2${query}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(response.status).toBe(200);
    const page = (await response.json()) as { sessions: Array<{ id: string }>; nextCursor: string | null };
    ids.push(...page.sessions.map((s) => s.id));
    if (page.nextCursor === null) return ids;
    cursor = page.nextCursor;
  }
}
