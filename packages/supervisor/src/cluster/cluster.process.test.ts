import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SessionEvent, type StoredEvent, shardOf } from '@shoal/shared';
import { startTestPostgres, type TestPostgres } from '@shoal/store/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NodeProcess, waitForFullCoverage } from '../test-support/cluster-processes.js';
import { waitFor } from '../test-support/wait-for.js';
import { placeShards } from './placement.js';

// Real node processes on loopback sharing one real PostgreSQL. Short leases keep the test quick; no
// assertion is about time (every wait is for a signal, with a generous deadline).
const LOGICAL_SHARDS = 64;
const TTL = 2_000;

let server: TestPostgres;
let dataDir: string;
let nodes: NodeProcess[] = [];

beforeAll(async () => {
  server = await startTestPostgres();
  dataDir = await mkdtemp(join(tmpdir(), 'shoal-cluster-'));
}, 180_000);

afterEach(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  nodes = [];
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function startCluster(ids: string[]): Promise<NodeProcess[]> {
  const connectionString = await server.createDatabase();
  const started: NodeProcess[] = [];
  for (const nodeId of ids) {
    const n = await NodeProcess.start({
      nodeId,
      connectionString,
      logicalShards: LOGICAL_SHARDS,
      leaseTtlMs: TTL,
      dataDir: join(dataDir, nodeId),
    });
    started.push(n);
    nodes.push(n);
  }
  await waitForFullCoverage(started, LOGICAL_SHARDS);
  return started;
}

async function ownerOf(sessionId: string, among: NodeProcess[]): Promise<NodeProcess | undefined> {
  const shard = shardOf(sessionId, LOGICAL_SHARDS);
  for (const n of among) if (n.alive && (await n.heldShards()).includes(shard)) return n;
  return undefined;
}

/** A session created through `via` whose shard `owner` holds (and, optionally, `next` would take). */
async function sessionOwnedBy(
  via: NodeProcess,
  owner: NodeProcess,
  next?: { node: NodeProcess; survivors: NodeProcess[] },
): Promise<string> {
  const held = new Set(await owner.heldShards());
  const after =
    next &&
    placeShards(
      LOGICAL_SHARDS,
      next.survivors.map((n) => n.nodeId),
    );
  for (;;) {
    const id = await via.call<string>('createSession', {});
    const shard = shardOf(id, LOGICAL_SHARDS);
    if (held.has(shard) && (after === undefined || after[shard] === next?.node.nodeId)) return id;
  }
}

function userTexts(events: StoredEvent[]): string[] {
  const out: string[] = [];
  for (const { event } of events) {
    if (event.type !== 'UserMessageAdded') continue;
    for (const c of event.message.content) if (c.type === 'text') out.push(c.text);
  }
  return out;
}

function expectContiguous(events: StoredEvent[]): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
}

async function idle(via: NodeProcess, sessionId: string): Promise<boolean> {
  const s = await via.call<{ currentOperation: unknown; queuedWork: unknown[] }>(
    'getSessionState',
    sessionId,
  );
  return s.currentOperation === null && s.queuedWork.length === 0;
}

describe('cluster of node processes sharing one PostgreSQL', () => {
  it('serves the shards of SIGKILLed nodes again on the survivors; every acknowledged input is in its log once', async () => {
    const [a, b, c] = await startCluster(['node-a', 'node-b', 'node-c']);
    const all = [a!, b!, c!];
    const sessions: string[] = [];
    for (let i = 0; i < 18; i++) sessions.push(await all[i % 3]!.call<string>('createSession', {}));

    const acked = new Map<string, string[]>(sessions.map((s) => [s, []]));
    const failures: string[] = [];
    let running = true;
    let attempt = 0;
    const drive = async (sessionId: string) => {
      while (running) {
        const live = all.filter((n) => n.alive);
        const via = live[attempt++ % live.length]!;
        const text = `input ${sessionId.slice(0, 8)} #${attempt}`;
        try {
          await via.call('submitUserInput', sessionId, text);
          acked.get(sessionId)!.push(text);
        } catch (err) {
          failures.push((err as { code?: string }).code ?? String(err));
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const drivers = sessions.map((s) => drive(s));
    const progressAll = async (what: string) => {
      const before = new Map([...acked].map(([s, list]) => [s, list.length]));
      await waitFor(what, () => [...acked].every(([s, list]) => list.length > before.get(s)! + 1), 120_000);
    };

    await progressAll('every session accepts input');
    for (const victim of [b!, a!]) {
      const started = performance.now();
      victim.kill('SIGKILL');
      await victim.exit;
      await progressAll(`every session accepts input again after ${victim.nodeId} died`);
      await waitForFullCoverage(all, LOGICAL_SHARDS);
      process.stdout.write(
        `${victim.nodeId} killed: every session served again after ${Math.round(performance.now() - started)} ms (lease TTL ${TTL} ms)\n`,
      );
    }
    running = false;
    await Promise.all(drivers);
    // Calls to a node whose process died fail as a client's connection would; every other failure is
    // the retryable SESSION (an input in flight on a node that died, or no owner yet).
    expect(failures.filter((code) => code !== 'SESSION' && code !== 'NODE_GONE')).toEqual([]);

    const survivor = c!;
    for (const s of sessions) {
      await waitFor(`session ${s} idle`, () => idle(survivor, s), 60_000);
      const events = await survivor.call<StoredEvent[]>('loadEventsAfter', s, -1);
      expectContiguous(events);
      const texts = userTexts(events);
      for (const text of acked.get(s)!) expect(texts.filter((t) => t === text)).toHaveLength(1);
      expect(new Set(texts).size).toBe(texts.length);
    }
  }, 300_000);

  it('refuses every append of a node that was paused past its lease once another node took its shards', async () => {
    const [a, b] = await startCluster(['node-a', 'node-b']);
    const sessionId = await sessionOwnedBy(a!, b!);
    await b!.call('submitUserInput', sessionId, 'before the pause');
    await waitFor('session idle', () => idle(a!, sessionId));
    const shard = shardOf(sessionId, LOGICAL_SHARDS);

    // b keeps believing in its leases (as a process that missed the passing of time), then is paused.
    await b!.send({ t: 'freeze' });
    b!.kill('SIGSTOP');
    await waitFor(
      'a took b’s shards',
      async () => (await a!.heldShards()).length === LOGICAL_SHARDS,
      120_000,
    );
    const before = await a!.call<StoredEvent[]>('loadEventsAfter', sessionId, -1);
    b!.kill('SIGCONT');

    const event: SessionEvent = { type: 'Error', message: 'written by a node that lost its lease' };
    for (let i = 0; i < 5; i++) {
      const err = await b!.send({ t: 'appendDirect', sessionId, events: [event] }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'LEASE_LOST' });
    }
    const viaRouter = await b!
      .call('submitUserInput', sessionId, 'from the paused node')
      .catch((e: unknown) => e);
    expect(viaRouter).toMatchObject({ code: 'SESSION' });

    const after = await a!.call<StoredEvent[]>('loadEventsAfter', sessionId, -1);
    expect(after).toEqual(before);
    expect(userTexts(after)).not.toContain('from the paused node');
    // The new owner serves the session as usual.
    await a!.call('submitUserInput', sessionId, 'after the takeover');
    expect(await a!.heldShards()).toContain(shard);
  }, 300_000);

  it('lets exactly one of two nodes that both believe they own a shard append', async () => {
    const [a, b] = await startCluster(['node-a', 'node-b']);
    const sessionId = await sessionOwnedBy(a!, a!);
    const shard = shardOf(sessionId, LOGICAL_SHARDS);
    await waitFor('session idle', () => idle(a!, sessionId));
    await b!.send({ t: 'freeze' });
    // b is told it holds a's shard under a's own epoch (the most convincing split brain).
    const rows = await a!.call<StoredEvent[]>('loadEventsAfter', sessionId, -1);
    const epoch = await a!.send<number>({ t: 'epochOf', shard });
    await b!.send({ t: 'assumeLease', shard, epoch });
    for (let round = 0; round < 10; round++) {
      const event: SessionEvent = { type: 'Error', message: `round ${round}` };
      const expectedNextSeq = rows.length + round;
      // Alone, b's append with the right sequence number is refused by the epoch fence itself.
      const alone = await b!
        .send({ t: 'appendDirect', sessionId, events: [event], expectedNextSeq })
        .catch((e: unknown) => e);
      expect(alone).toMatchObject({ code: 'LEASE_LOST' });
      // Racing on the same sequence number: exactly one append wins, and it is the real owner's.
      const results = await Promise.allSettled([
        a!.send({ t: 'appendDirect', sessionId, events: [event], expectedNextSeq }),
        b!.send({ t: 'appendDirect', sessionId, events: [event], expectedNextSeq }),
      ]);
      expect(results[0]).toMatchObject({ status: 'fulfilled' });
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = (results[1] as PromiseRejectedResult).reason as { code: string };
      expect(['LEASE_LOST', 'SEQUENCE_CONFLICT']).toContain(refused.code);
    }
    const after = await a!.call<StoredEvent[]>('loadEventsAfter', sessionId, -1);
    expect(after).toHaveLength(rows.length + 10);
    expectContiguous(after);
  }, 300_000);

  it('keeps a subscriber on one node receiving every event in order while the owner dies and the session moves', async () => {
    const [a, b, c] = await startCluster(['node-a', 'node-b', 'node-c']);
    const sessionId = await sessionOwnedBy(a!, b!, { node: c!, survivors: [a!, c!] });
    await a!.send({ t: 'subscribe', subId: 1, sessionId, afterSeq: -1 });
    let running = true;
    let n = 0;
    const acked: string[] = [];
    const drive = (async () => {
      while (running) {
        const text = `turn ${n++}`;
        try {
          await a!.call('submitUserInput', sessionId, text);
          acked.push(text);
        } catch {
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    })();
    await waitFor('some turns', () => acked.length >= 3, 60_000);
    b!.kill('SIGKILL');
    await b!.exit;
    await waitFor('the session moved to c', async () => (await ownerOf(sessionId, [c!])) === c, 120_000);
    const afterMove = acked.length;
    await waitFor('more turns after the move', () => acked.length >= afterMove + 3, 120_000);
    running = false;
    await drive;
    await waitFor('session idle', () => idle(c!, sessionId), 60_000);
    const stored = await c!.call<StoredEvent[]>('loadEventsAfter', sessionId, -1);
    await waitFor(
      'the subscriber saw every stored event',
      () => (a!.events.get(1)?.length ?? 0) >= stored.length,
      60_000,
    );
    expect(a!.events.get(1)).toEqual(stored.map((e) => e.seq));
    expect(a!.subEnds.has(1)).toBe(false);
  }, 300_000);
});
