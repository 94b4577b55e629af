// Host benchmark: turns over HTTP + SSE beside the same turns on the embedded runtime and beside a bare
// Fastify route, in one run; then many open SSE streams on one host (memory per stream, fan-out time).
//
//   npx turbo run build && node bench/host/host-bench.mjs [--sessions 1000] [--turns 5] [--warmup-turns 1]
//     [--shards 2] [--durability fsync] [--connections 64] [--streams 10000] [--skip turns|fanout]
//     [--host-node-args "--cpu-prof --cpu-prof-dir=DIR"] [--host-bin PATH]
//   --skip takes a comma list of turns, fanout, or single turn modes: embedded, http, bare.
//   --host-bin runs another build of shoal-host (e.g. a copy of main's) to compare it on the same machine.
//
// Turns (each mode at `sessions` sessions, every session running `turns` measured turns one after the other,
// all sessions at once, after `warmup-turns` unmeasured ones):
// - embedded: `Runtime` in this process; a turn = submitUserInput + waiting for that op's OperationCompleted
//   on the session's event subscription (as bench/runtime).
// - HTTP: `shoal-host` in a child process (same shards and durability); one SSE stream per session
//   (`/events?after=0`) kept open for the whole run, commands over a keep-alive pool of `connections`
//   connections; a turn = POST /input (202) + reading the stream until that op's OperationCompleted.
// - bare Fastify: a child process with one route doing nothing; a "turn" = one POST over the same pool.
// CPU per turn: the server process's CPU (all threads, /proc/<pid>/stat) ÷ turns, its main thread's alone
// (/proc/<pid>/task/<pid>/stat: the event loop with HTTP, SSE and the runtime's supervisor; the rest is shard
// workers, LevelDB's pool and V8's helpers), and for HTTP also this client's; embedded: this process's CPU
// (runtime and its consumer). With --host-node-args the measured window is printed on the monotonic clock of
// V8's CPU profiles, so a host profile can be cut to the measured turns. Nothing here is asserted.
//
// Fan-out: a fresh host, one session, `streams` SSE streams opened on it (`after=0`); memory per stream =
// (RSS and V8 heap used after − before) ÷ streams; then one POST /input and the time until every stream has
// received its UserMessageAdded (and its OperationCompleted).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Runtime } from '@shoal/supervisor';
import {
  arg,
  fmt1,
  fmtInt,
  fmtMs,
  histogram,
  printLoadAtEnd,
  printMachine,
  recordMs,
  table,
} from '../runtime/lib/report.mjs';
import { pool, track } from '../runtime/lib/sessions.mjs';
import {
  clients,
  cpuSeconds,
  mainThreadCpuSeconds,
  openEvents,
  postJson,
  rssBytes,
  spawnListening,
  stop,
} from './lib.mjs';

const SESSIONS = Number(arg('sessions', '1000'));
const TURNS = Number(arg('turns', '5'));
const WARMUP = Number(arg('warmup-turns', '1'));
const SHARDS = Number(arg('shards', '2'));
const DURABILITY = arg('durability', 'fsync');
const CONNECTIONS = Number(arg('connections', '64'));
const STREAMS = Number(arg('streams', '10000'));
const SKIP = arg('skip', '');
// --host-node-args "--cpu-prof --cpu-prof-dir=DIR": node flags for the shoal-host child (profiling)
const HOST_NODE_ARGS = String(arg('host-node-args', '')).split(' ').filter(Boolean);
const KEY = 'bench-key';
const HOST_BIN = arg(
  'host-bin',
  fileURLToPath(new URL('../../apps/host/bin/shoal-host.js', import.meta.url)),
);
const BARE = fileURLToPath(new URL('./bare-server.mjs', import.meta.url));

const tmp = () => mkdtempSync(join(os.tmpdir(), 'shoal-host-bench-'));

function startHost(dataDir) {
  return spawnListening(
    [
      ...HOST_NODE_ARGS,
      HOST_BIN,
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--shards',
      String(SHARDS),
      '--durability',
      DURABILITY,
      '--log-level',
      'warn',
      '--rate-limit',
      '1000000000',
      '--max-streams',
      '1000000',
      '--max-sessions',
      '1000000',
    ],
    { SHOAL_API_KEYS: `bench:${KEY}` },
  );
}

/** Seconds of CPU: the server process's, and this client process's when the server is another process. */
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/**
 * Runs warm-up then measured turns of every session concurrently; `turn(i)` runs one turn of session i,
 * `cpu()` reads `{ server, serverMain, client? }` CPU seconds.
 */
async function measureTurns(turn, cpu) {
  await Promise.all(
    Array.from({ length: SESSIONS }, async (_, i) => {
      for (let k = 0; k < WARMUP; k++) await turn(i);
    }),
  );
  const h = histogram();
  const cpu0 = cpu();
  const t0 = performance.now();
  const mono0 = process.hrtime.bigint() / 1000n;
  await Promise.all(
    Array.from({ length: SESSIONS }, async (_, i) => {
      for (let k = 0; k < TURNS; k++) {
        const s = performance.now();
        await turn(i);
        recordMs(h, performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = cpu();
  // The measured window on the monotonic clock (µs), which is the clock of V8's CPU profiles: a profile of
  // the host can be cut to exactly these turns.
  if (HOST_NODE_ARGS.length > 0) {
    console.log(`measured window (monotonic µs): ${mono0}-${process.hrtime.bigint() / 1000n}`);
  }
  const turns = SESSIONS * TURNS;
  return {
    turnsPerSecond: turns / seconds,
    p50: h.getValueAtPercentile(50),
    p99: h.getValueAtPercentile(99),
    serverCpuUs: ((cpu1.server - cpu0.server) * 1e6) / turns,
    serverMainCpuUs: ((cpu1.serverMain - cpu0.serverMain) * 1e6) / turns,
    clientCpuUs: cpu1.client === undefined ? undefined : ((cpu1.client - cpu0.client) * 1e6) / turns,
  };
}

async function embedded() {
  const dataDir = tmp();
  const runtime = await Runtime.start({
    dataDir,
    shards: SHARDS,
    durability: DURABILITY,
    logLevel: 'silent',
  });
  const counter = { events: 0 };
  const trackers = [];
  await pool(Array.from({ length: SESSIONS }), 64, async () => {
    trackers.push(await track(runtime, await runtime.createSession(), counter));
  });
  const r = await measureTurns(
    (i) => trackers[i].turn('hello'),
    () => ({ server: selfCpu(), serverMain: mainThreadCpuSeconds(process.pid) }),
  );
  for (const t of trackers) await t.close();
  await runtime.shutdown();
  rmSync(dataDir, { recursive: true, force: true });
  return r;
}

/** One SSE stream per session; `turn(i)` posts an input and waits for its OperationCompleted on the stream. */
async function overHttp() {
  const dataDir = tmp();
  const { child, url } = await startHost(dataDir);
  const { pool: http, streams } = clients(url, CONNECTIONS);
  const ids = [];
  await pool(Array.from({ length: SESSIONS }), CONNECTIONS, async () => {
    ids.push((await postJson(http, '/v1/sessions', undefined, KEY, 201)).id);
  });
  const waiters = ids.map(() => new Map());
  const early = ids.map(() => new Set());
  const open = [];
  const types = new Set(['OperationCompleted']);
  await pool(ids, 200, async (id, i) => {
    open.push(
      await openEvents(streams, `${url}/v1/sessions/${id}/events?after=0`, KEY, types, (_type, data) => {
        const opId = data.event.opId;
        const w = waiters[i].get(opId);
        if (w) {
          waiters[i].delete(opId);
          w();
        } else early[i].add(opId);
      }),
    );
  });
  const turn = async (i) => {
    const { opId } = await postJson(http, `/v1/sessions/${ids[i]}/input`, { text: 'hello' }, KEY, 202);
    if (early[i].delete(opId)) return;
    await new Promise((resolve) => waiters[i].set(opId, resolve));
  };
  const r = await measureTurns(turn, () => ({
    server: cpuSeconds(child.pid),
    serverMain: mainThreadCpuSeconds(child.pid),
    client: selfCpu(),
  }));
  for (const s of open) s.close();
  await Promise.all(open.map((s) => s.done));
  await http.close();
  await streams.close();
  await stop(child);
  rmSync(dataDir, { recursive: true, force: true });
  return r;
}

/** The same closed loop against a Fastify route that does nothing: the HTTP ceiling of this machine. */
async function bareFastify() {
  const { child, url } = await spawnListening([BARE]);
  const { pool: http, streams } = clients(url, CONNECTIONS);
  const r = await measureTurns(
    () => postJson(http, '/noop', { text: 'hello' }, KEY, 202),
    () => ({
      server: cpuSeconds(child.pid),
      serverMain: mainThreadCpuSeconds(child.pid),
      client: selfCpu(),
    }),
  );
  await http.close();
  await streams.close();
  await stop(child);
  return r;
}

async function heapUsed(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1]);
}

/** `STREAMS` streams on one session of a fresh host; memory per stream and time to reach all of them. */
async function fanOut() {
  const dataDir = tmp();
  const { child, url } = await startHost(dataDir);
  const { pool: http, streams } = clients(url, 8);
  const { id } = await postJson(http, '/v1/sessions', undefined, KEY, 201);
  // Settle the host (one turn) before the "before" reading.
  await postJson(http, `/v1/sessions/${id}/input`, { text: 'warm up' }, KEY, 202);
  await new Promise((r) => setTimeout(r, 500));
  const rss0 = rssBytes(child.pid);
  const heap0 = await heapUsed(url);
  let gotMessage = 0;
  let gotCompleted = 0;
  let allMessage;
  let allCompleted;
  const reachedMessage = new Promise((r) => {
    allMessage = r;
  });
  const reachedCompleted = new Promise((r) => {
    allCompleted = r;
  });
  const types = new Set(['UserMessageAdded', 'OperationCompleted']);
  const open = [];
  const latest =
    (await (await fetch(`${url}/v1/sessions/${id}`, { headers: { authorization: `Bearer ${KEY}` } })).json())
      .eventSequence - 1;
  const t0 = performance.now();
  await pool(Array.from({ length: STREAMS }), 200, async () => {
    open.push(
      await openEvents(streams, `${url}/v1/sessions/${id}/events?after=${latest}`, KEY, types, (type) => {
        if (type === 'UserMessageAdded' && ++gotMessage === STREAMS) allMessage(performance.now());
        if (type === 'OperationCompleted' && ++gotCompleted === STREAMS) allCompleted(performance.now());
      }),
    );
  });
  const openSeconds = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 500));
  const rss1 = rssBytes(child.pid);
  const heap1 = await heapUsed(url);
  const cpu0 = cpuSeconds(child.pid);
  const sent = performance.now();
  await postJson(http, `/v1/sessions/${id}/input`, { text: 'to everyone' }, KEY, 202);
  const tMessage = (await reachedMessage) - sent;
  const tCompleted = (await reachedCompleted) - sent;
  const cpuFanOut = cpuSeconds(child.pid) - cpu0;
  for (const s of open) s.close();
  await Promise.all(open.map((s) => s.done));
  await http.close();
  await streams.close();
  await stop(child);
  rmSync(dataDir, { recursive: true, force: true });
  return {
    streams: STREAMS,
    openSeconds,
    rssPerStream: (rss1 - rss0) / STREAMS,
    heapPerStream: (heap1 - heap0) / STREAMS,
    rss1,
    tMessage,
    tCompleted,
    cpuFanOut,
  };
}

printMachine('Host');
console.log(
  `${SESSIONS} sessions × ${TURNS} measured turns (+${WARMUP} warm-up), shards ${SHARDS}, durability ${DURABILITY}, ${CONNECTIONS} command connections\n`,
);
const skipped = (what) => SKIP.split(',').includes(what);
if (!skipped('turns')) {
  const none = { turnsPerSecond: Number.NaN, p50: Number.NaN, p99: Number.NaN, serverCpuUs: Number.NaN };
  const emb = skipped('embedded') ? none : await embedded();
  const web = skipped('http') ? none : await overHttp();
  const bare = skipped('bare') ? none : await bareFastify();
  const row = (name, r) => [
    name,
    fmtInt(r.turnsPerSecond),
    fmtMs(r.p50),
    fmtMs(r.p99),
    fmt1(r.serverCpuUs, 0),
    fmt1(r.serverMainCpuUs, 0),
    r.clientCpuUs === undefined ? '–' : fmt1(r.clientCpuUs, 0),
  ];
  console.log(
    table(
      ['mode', 'turns/s', 'p50 ms', 'p99 ms', 'CPU µs/turn: server', 'its main thread', 'client'],
      [
        row('embedded runtime', emb),
        row('HTTP + SSE (shoal-host)', web),
        row('bare Fastify POST (no work)', bare),
      ],
    ),
  );
  console.log(
    `\nHTTP / embedded turns/s: **${(web.turnsPerSecond / emb.turnsPerSecond).toFixed(2)}x** (goal ≥ 0.5x); ` +
      `host CPU per turn ${fmt1(web.serverCpuUs, 0)} µs vs embedded ${fmt1(emb.serverCpuUs, 0)} µs ` +
      `(${(web.serverCpuUs / emb.serverCpuUs).toFixed(2)}x)\n`,
  );
}
if (!skipped('fanout')) {
  const f = await fanOut();
  console.log(
    table(
      [
        'open streams',
        'open all s',
        'RSS KiB/stream',
        'heap KiB/stream',
        'host RSS MiB',
        'one event to all ms',
        'whole turn to all ms',
        'host CPU s for the turn',
      ],
      [
        [
          fmtInt(f.streams),
          fmt1(f.openSeconds, 1),
          fmt1(f.rssPerStream / 1024, 1),
          fmt1(f.heapPerStream / 1024, 1),
          fmt1(f.rss1 / 2 ** 20, 0),
          fmt1(f.tMessage, 0),
          fmt1(f.tCompleted, 0),
          fmt1(f.cpuFanOut, 2),
        ],
      ],
    ),
  );
}
printLoadAtEnd();
