import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type StoredEvent, shardOf } from '@shoal/shared';
import { startTestPostgres, type TestPostgres } from '@shoal/store/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { HttpTarget } from './http-target.js';
import { runLoad } from './run-load.js';
import { TargetCallError } from './target.js';
import { ClusterHost, LeaseTableReader } from './test-support/cluster-hosts.js';
import { ClusterTarget } from './test-support/cluster-target.js';

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

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') {
    for (const h of hosts) process.stdout.write(`${h.diagnosis()}\n`);
    for (const err of leases?.idleErrors ?? []) process.stdout.write(`lease reader: ${err.message}\n`);
  }
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
  await leases?.close();
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

/** A session created through `via` whose shard `owner` holds now; every session created is added to `created`. */
async function sessionOwnedBy(via: HttpTarget, owner: ClusterHost, created: string[] = []): Promise<string> {
  const held = new Set(await leases!.heldBy(owner.nodeId));
  for (;;) {
    const id = await via.createSession({});
    created.push(id);
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
      const mine: string[] = [];
      const id = await sessionOwnedBy(acme[0]!, b!, mine);
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

describe('shoal-host cluster under load from the load test', () => {
  it('fences a node paused past its TTL and serves the shards of two SIGKILLed nodes again; every acknowledged input is in its log once', {
    timeout: 300_000,
  }, async () => {
    onTestFailed(() => {
      for (const h of hosts) process.stdout.write(`${h.diagnosis()}\n`);
    });
    const t0 = performance.now();
    const phase = (what: string) =>
      process.stdout.write(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${what}\n`);
    const [a, b, c] = await startCluster(['node-a', 'node-b', 'node-c']);
    phase('three nodes up');
    const all = [a!, b!, c!];
    const load = new ClusterTarget(all, 'k-acme');
    let stopLoad = false;
    let turnsDone = 0;
    let errors = 0;
    const report = runLoad(
      // One echo turn after another on every session (inputs carry unique tokens); bounded by `stopLoad`.
      { sessions: 30, duration: 3_600, mix: { echo: 1 }, turnTimeoutMs: 60_000, quiet: true },
      {
        target: load,
        stopRequested: () => stopLoad,
        onProgress: (p) => {
          turnsDone = p.turnsDone;
          errors = p.errors;
        },
      },
    );
    const probes: HttpTarget[] = [];
    const probeVia = (h: ClusterHost) => {
      const t = new HttpTarget(h.url, 'k-acme');
      probes.push(t);
      return t;
    };
    const loadMoves = async (what: string, turns: number) => {
      const before = turnsDone;
      try {
        await waitFor(what, () => turnsDone >= before + turns, 120_000);
      } catch (err) {
        const now = performance.now();
        const recent = [...load.lastAck.values()].filter((t) => now - t < 30_000).length;
        throw new Error(
          `${(err as Error).message}: ${turnsDone - before} turns, ${errors} errors so far; ` +
            `${recent} sessions acknowledged an input in the last 30 s`,
        );
      }
    };
    let paused = '';
    let marker = '';
    try {
      await loadMoves('the load runs on all three nodes', 30);

      // SIGSTOP c past its TTL while a command of one of its sessions waits on a tool; once a and b took
      // its shards, SIGCONT: what c then appends for that session is refused by the epoch fence.
      const viaA = probeVia(a!);
      paused = await sessionOwnedBy(viaA, c!);
      // The command waits for a file the test writes while c is stopped: its output is then ready for c the
      // moment it resumes. The output (`late-…-42`) differs from the command's own text.
      const go = join(dir, `go-${paused}`);
      marker = `late-${paused.slice(0, 8)}-42`;
      await viaA.executeBash(
        paused,
        `while [ ! -e '${go}' ]; do sleep 0.05; done; echo late-${paused.slice(0, 8)}-$((6 * 7))`,
      );
      await waitFor(
        'the bash command started on c',
        async () => (await viaA.readLog(paused)).some((e) => e.event.type === 'OperationStarted'),
        60_000,
      );
      phase('pausing c');
      const stoppedAt = performance.now();
      c!.signal('SIGSTOP');
      await waitFor(
        'a and b took every shard of the paused c',
        () => leases!.coveredBy([a!.nodeId, b!.nodeId], LOGICAL_SHARDS),
        TTL + 60_000,
      );
      const takenAfter = performance.now() - stoppedAt;
      await writeFile(go, '');
      c!.signal('SIGCONT');
      await waitFor(
        'c’s append refused by the epoch fence',
        () => c!.logCount('append refused by the epoch fence') > 0,
        60_000,
      );
      const pausedLog = await viaA.readLog(paused);
      expect(pausedLog.map((e) => e.seq)).toEqual(pausedLog.map((_, i) => i));
      expect(JSON.stringify(pausedLog)).not.toContain(marker);
      process.stdout.write(
        `c paused: its shards taken after ${Math.round(takenAfter)} ms (lease TTL ${TTL} ms); ` +
          `${c!.logCount('append refused by the epoch fence')} of its appends refused by the fence\n`,
      );
      await waitForCoverage(all);
      phase('c back');
      await loadMoves('the load runs again on all three nodes', 20);

      // SIGKILL b, then a: each time the survivors serve the dead node's sessions again.
      for (const victim of [b!, a!]) {
        const survivor = c!;
        const probe = await sessionOwnedBy(probeVia(survivor), victim);
        phase(`killing ${victim.nodeId}`);
        const killedAt = performance.now();
        victim.signal('SIGKILL');
        await victim.exit;
        await probes.at(-1)!.submitInput(probe, `after ${victim.nodeId} died`);
        const servedAfter = performance.now() - killedAt;
        await waitForCoverage(all);
        const coveredAfter = performance.now() - killedAt;
        await loadMoves(`the load runs again after ${victim.nodeId} died`, 20);
        process.stdout.write(
          `${victim.nodeId} killed: its session served again after ${Math.round(servedAfter)} ms, ` +
            `every shard leased again after ${Math.round(coveredAfter)} ms (lease TTL ${TTL} ms)\n`,
        );
      }
    } catch (err) {
      stopLoad = true;
      const r = await within('the load test after a failure', report, 120_000).catch(() => undefined);
      for (const h of all) {
        const lines = h.errorLines();
        process.stdout.write(`${h.nodeId}: ${lines.length} error lines\n${lines.slice(0, 5).join('\n')}\n`);
      }
      if (r !== undefined)
        process.stdout.write(`load: ${JSON.stringify(r.errorBreakdown)}\n${r.errorSamples.join('\n')}\n`);
      throw err;
    }
    stopLoad = true;
    phase('stopping the load');
    const r = await report;
    process.stdout.write(`load finished at ${new Date().toISOString()}\n`);
    const only = new HttpTarget(c!.url, 'k-acme');
    probes.push(only);
    try {
      process.stdout.write(
        `load: ${r.turns} turns, ${r.errors} errors ${JSON.stringify(r.errorBreakdown)}, ` +
          `${load.resumedStreams} streams resumed on another node\n${r.errorSamples.join('\n')}\n`,
      );
      // The load test's own checks: every log contiguous, every acknowledged input in it, what was seen live
      // is what is stored. Calls to a node that died, or in flight on it, are refused; nothing else is.
      expect(r.verified).toBe(true);
      // A command caught by a node's death is a retryable 503 SESSION, never an opaque 500.
      expect(r.errorSamples.filter((e) => e.includes('INTERNAL'))).toEqual([]);
      expect(r.violations).toEqual({});
      expect(r.errorBreakdown).toMatchObject({
        checkViolations: 0,
        logMismatches: 0,
        unexpectedErrorEvents: 0,
        timedOutTurns: 0,
      });
      // Exactly once: every acknowledged input once, and no input (acknowledged or not) twice.
      expect(load.acked.size).toBe(30);
      // The paused node's late tool result never reached the log, not even once its shards came back.
      expect(JSON.stringify(await within(`reading ${paused}`, only.readLog(paused)))).not.toContain(marker);
      const sessions = [...load.acked];
      const logs = new Map<string, StoredEvent[]>();
      const reader = async () => {
        for (let next = sessions.pop(); next !== undefined; next = sessions.pop()) {
          logs.set(next[0], await within(`reading ${next[0]}`, only.readLog(next[0])));
        }
      };
      await Promise.all(Array.from({ length: 6 }, reader));
      for (const [sessionId, tokens] of load.acked) {
        const events = logs.get(sessionId)!;
        expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
        const seen = userTexts(events).map((t) => /\[lt-[^\]]+\]$/.exec(t)?.[0]);
        expect(new Set(seen).size).toBe(seen.length);
        for (const token of tokens) expect(seen.filter((t) => t === token)).toHaveLength(1);
      }
    } finally {
      await Promise.all(probes.map((p) => p.close()));
      await load.close();
    }
  });
});

/** `promise`, or a failure naming `what` after a generous deadline (a read that never ends is a finding). */
async function within<T>(what: string, promise: Promise<T>, deadlineMs = 60_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${deadlineMs} ms`)), deadlineMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

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
