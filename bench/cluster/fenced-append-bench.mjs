// Appends through the cluster's epoch fence against plain PostgreSQL store appends, in one run.
//
//   npx turbo run build --filter=@shoal/supervisor && node bench/cluster/fenced-append-bench.mjs
//     [--seconds 3] [--repeat 3] [--sessions 1000] [--events 1,10]
//
// The server is a fresh PostgreSQL started for the run (`@shoal/store/testing`: fsync on, synchronous_commit
// on). Each run gets a fresh database, and both sides append the same events the same way: every session is
// its own loop `await store.append(id, events, { expectedNextSeq })`, all sessions at once.
// - plain: `PostgresEventStore.open(url)`, what a single-process Shoal on PostgreSQL opens.
// - fenced: the store of a one-node cluster runtime (`Runtime.start({ store: 'postgres', cluster })`, holding
//   all logical shards): the same store with the epoch fence in its append statement (a `FOR KEY SHARE`
//   check of the shard's lease row), plus the node's heartbeats and lease renewals running meanwhile.
// The two alternate --repeat times; the table shows the median run of each. CPU is reported per event for
// this process (the client) and for the PostgreSQL server processes (from /proc), since the fence's cost
// is mostly on the server.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { PostgresEventStore } from '@shoal/store';
import { startTestPostgres } from '@shoal/store/testing';
import { Runtime } from '@shoal/supervisor';
import pg from 'pg';
import { batchesOf, eventPool, percentile } from '../store/events.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const SECONDS = Number(arg('seconds', '3'));
const REPEAT = Number(arg('repeat', '3'));
const SESSIONS = Number(arg('sessions', '1000'));
const BATCH_SIZES = arg('events', '1,10').split(',').map(Number);
const LOGICAL_SHARDS = 1024;

const POOL = eventPool();
const ids = (n) => Array.from({ length: n }, (_, i) => `sess-${i}`);
const CLOCK_TICK_US = 1e6 / 100; // USER_HZ on Linux

/** utime + stime (µs) of the PostgreSQL postmaster and all its children. */
function serverCpuUs(postmasterPid) {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid ... field 14 utime, 15 stime; comm may hold spaces, so split after ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    if (Number(entry) !== postmasterPid && ppid !== postmasterPid) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * CLOCK_TICK_US;
}

async function postmasterPid(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query('SELECT pg_backend_pid() AS pid');
  const stat = readFileSync(`/proc/${rows[0].pid}/stat`, 'utf8'); // while the backend lives
  await c.end();
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

async function appendLoops(store, perAppend, serverPid) {
  const appendBatches = batchesOf(POOL, perAppend);
  const latencies = [];
  let events = 0;
  const cpu0 = process.cpuUsage();
  const server0 = serverCpuUs(serverPid);
  const t0 = performance.now();
  const deadline = t0 + SECONDS * 1000;
  await Promise.all(
    ids(SESSIONS).map(async (id) => {
      let next = 0;
      for (let k = 0; performance.now() < deadline; k++) {
        const start = performance.now();
        await store.append(id, appendBatches[k % appendBatches.length], { expectedNextSeq: next });
        latencies.push(performance.now() - start);
        next += perAppend;
        events += perAppend;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const serverUs = serverCpuUs(serverPid) - server0;
  const sorted = Float64Array.from(latencies).sort();
  return {
    eventsPerSec: events / elapsed,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    clientUsPerEvent: (cpu.user + cpu.system) / events,
    serverUsPerEvent: serverUs / events,
  };
}

async function runPlain(server, perAppend, serverPid) {
  const url = await server.createDatabase();
  const store = await PostgresEventStore.open(url);
  await Promise.all(ids(SESSIONS).map((id) => store.createSession(id, { tenant: 'bench' })));
  try {
    return await appendLoops(store, perAppend, serverPid);
  } finally {
    await store.close();
  }
}

async function runFenced(server, perAppend, serverPid) {
  const url = await server.createDatabase();
  const dataDir = mkdtempSync(join(os.tmpdir(), 'shoal-fence-bench-'));
  const runtime = await Runtime.start({
    store: 'postgres',
    postgres: { connectionString: url },
    cluster: {
      nodeId: 'bench-node',
      advertiseUrl: 'http://127.0.0.1:0',
      logicalShards: LOGICAL_SHARDS,
      leaseTtlMs: 10_000,
    },
    shards: 0,
    dataDir,
    logLevel: 'error',
  });
  try {
    const node = runtime.clusterNode;
    const until = performance.now() + 60_000;
    while (node.heldShards().length < LOGICAL_SHARDS) {
      if (performance.now() > until) throw new Error('the bench node did not get every lease');
      await new Promise((r) => setTimeout(r, 50));
    }
    const store = runtime.eventStore;
    await Promise.all(ids(SESSIONS).map((id) => store.createSession(id, { tenant: 'bench' })));
    const result = await appendLoops(store, perAppend, serverPid);
    if (node.fencedAppends !== 0) throw new Error(`${node.fencedAppends} appends were fenced`);
    return result;
  } finally {
    await runtime.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (runs) =>
  [...runs].sort((a, b) => a.eventsPerSec - b.eventsPerSec)[Math.floor(runs.length / 2)];
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const lat = (r) => `${r.p50.toFixed(1)} / ${r.p99.toFixed(1)}`;
const cpu = (r) => `${r.clientUsPerEvent.toFixed(1)} + ${r.serverUsPerEvent.toFixed(1)}`;

const server = await startTestPostgres();
try {
  const serverPid = await postmasterPid(server.connectionString);
  const c = new pg.Client({ connectionString: server.connectionString });
  await c.connect();
  const version = (await c.query('SHOW server_version')).rows[0].server_version;
  await c.end();
  console.log(
    `node ${process.version}, ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ` +
      `PostgreSQL ${version} (fsync on), ${SESSIONS} sessions, ${SECONDS}s per run, median of ${REPEAT} runs, ` +
      `load average ${os.loadavg()[0].toFixed(1)}`,
  );
  console.log('');
  console.log(
    '| events/append | plain events/s | plain p50 / p99 ms | fenced events/s | fenced p50 / p99 ms | fenced / plain | CPU µs/event plain (client + server) | CPU µs/event fenced (client + server) |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const perAppend of BATCH_SIZES) {
    const plains = [];
    const fenceds = [];
    for (let r = 0; r < REPEAT; r++) {
      plains.push(await runPlain(server, perAppend, serverPid));
      fenceds.push(await runFenced(server, perAppend, serverPid));
    }
    if (process.argv.includes('--verbose')) {
      const each = (runs) => runs.map((r) => fmt(r.eventsPerSec)).join(' ');
      console.error(`  ${perAppend}: plain ${each(plains)} | fenced ${each(fenceds)}`);
    }
    const p = median(plains);
    const f = median(fenceds);
    const cells = [
      perAppend,
      fmt(p.eventsPerSec),
      lat(p),
      fmt(f.eventsPerSec),
      lat(f),
      (f.eventsPerSec / p.eventsPerSec).toFixed(2),
      cpu(p),
      cpu(f),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
} finally {
  await server.stop();
}
