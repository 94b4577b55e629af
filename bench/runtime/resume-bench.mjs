// Resume benchmark: cold resume of a session with 10,000 events, without and with a
// snapshot.
//
//   npx turbo run build && node bench/runtime/resume-bench.mjs [--events 10000] [--shards 0,1] [--repeat 15]
//
// Build: one runtime (shards 0, buffered) drives turns of the instant simulated model on one session until
// its log holds at least --events events (a real, replayable log: ~5 events per turn), then shuts down.
// For every shard count, on a fresh copy of that data directory:
// - without a snapshot: a runtime with snapshotEveryEvents = 1e9 (suspend never writes one);
//   "first" = the first resumeSession after the runtime opened the store; then `repeat` times:
//   suspendSession, then time resumeSession (the actor boots: reads the log in pages of 2,000 events over
//   the shard protocol, replays it, and replies);
// - with a snapshot: the same runtime is restarted with snapshotEveryEvents = 1; one resume + suspend writes
//   a snapshot at the last event; then `repeat` × (suspend, timed resume), which load the snapshot plus an
//   empty tail.
// Also timed, for scale: reading the whole log straight from the store on the main thread
// (runtime.loadEventsAfter(id, -1)) and the snapshot (eventStore.loadLatestSnapshot).
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Runtime } from '@shoal/supervisor';
import { arg, fmt1, fmtInt, list, median, printLoadAtEnd, printMachine, table } from './lib/report.mjs';
import { track } from './lib/sessions.mjs';

const EVENTS = Number(arg('events', '10000'));
const SHARDS = list('shards', '0,1').map(Number);
const REPEAT = Number(arg('repeat', '15'));
const DIR = arg('dir', os.tmpdir());
const NEVER = 1_000_000_000;
const providers = { simulated: { contextWindowTokens: 100_000_000 } };

async function build() {
  const dataDir = mkdtempSync(join(DIR, 'shoal-resumebench-'));
  const runtime = await Runtime.start({
    dataDir,
    shards: 0,
    durability: 'buffered',
    logLevel: 'silent',
    snapshotEveryEvents: NEVER,
    providers,
  });
  const t0 = performance.now();
  const id = await runtime.createSession();
  const counter = { events: 0 };
  const tr = await track(runtime, id, counter);
  let turns = 0;
  let seq = 1;
  while (seq < EVENTS) {
    await tr.turn(`turn ${turns++}: hello`);
    if (turns % 200 === 0 || counter.events + 1 >= EVENTS)
      seq = (await runtime.getSessionState(id)).eventSequence;
  }
  await tr.close();
  const state = await runtime.getSessionState(id);
  await runtime.shutdown();
  return {
    dataDir,
    id,
    turns,
    events: state.eventSequence,
    messages: state.messages.length,
    ms: performance.now() - t0,
  };
}

async function timeResume(runtime, id) {
  await runtime.suspendSession(id);
  const t0 = performance.now();
  await runtime.resumeSession(id);
  return performance.now() - t0;
}

async function measure(dataDir, id, shards, snapshotEveryEvents, expectEvents) {
  const runtime = await Runtime.start({
    dataDir,
    shards,
    durability: 'buffered',
    logLevel: 'silent',
    snapshotEveryEvents,
    providers,
  });
  try {
    const f0 = performance.now();
    await runtime.resumeSession(id);
    const first = performance.now() - f0;
    if (snapshotEveryEvents === 1) await runtime.suspendSession(id); // writes the snapshot
    const times = [];
    for (let i = 0; i < REPEAT; i++) times.push(await timeResume(runtime, id));
    const state = await runtime.getSessionState(id);
    if (state.eventSequence !== expectEvents) {
      throw new Error(`resumed session has ${state.eventSequence} events, expected ${expectEvents}`);
    }
    const l0 = performance.now();
    const log = await runtime.loadEventsAfter(id, -1);
    const loadLogMs = performance.now() - l0;
    const s0 = performance.now();
    const snap = await runtime.eventStore.loadLatestSnapshot(id);
    const loadSnapMs = performance.now() - s0;
    return {
      first,
      times,
      loadLogMs,
      logEvents: log.length,
      logBytes: JSON.stringify(log).length,
      loadSnapMs,
      snapSeq: snap?.seq ?? null,
      snapBytes: snap ? JSON.stringify(snap.snapshot).length : 0,
    };
  } finally {
    await runtime.shutdown();
  }
}

printMachine(`Resume: cold resume of a ${EVENTS.toLocaleString('en-US')}-event session`);
const built = await build();
console.error(`built: ${built.events} events in ${built.turns} turns (${(built.ms / 1000).toFixed(1)} s)`);
console.log(
  `Session: ${fmtInt(built.events)} events (${fmtInt(built.turns)} turns, ${fmtInt(built.messages)} messages), built in ${fmt1(built.ms / 1000)} s. Resume times in ms; median of ${REPEAT} after the first.\n`,
);
const rows = [];
try {
  for (const shards of SHARDS) {
    const dir = mkdtempSync(join(DIR, 'shoal-resumebench-copy-'));
    cpSync(built.dataDir, dir, { recursive: true });
    try {
      for (const [label, every] of [
        ['no snapshot', NEVER],
        ['snapshot', 1],
      ]) {
        const r = await measure(dir, built.id, shards, every, built.events);
        const sorted = [...r.times].sort((a, b) => a - b);
        rows.push([
          shards,
          label,
          fmt1(median(r.times), 2),
          fmt1(sorted[0], 2),
          fmt1(sorted[sorted.length - 1], 2),
          fmt1(r.first, 2),
          r.snapSeq === null
            ? '—'
            : `seq ${r.snapSeq}, ${fmt1(r.snapBytes / 1024, 0)} KiB JSON, read ${fmt1(r.loadSnapMs, 2)} ms`,
          `${fmtInt(r.logEvents)} events, ${fmt1(r.logBytes / 2 ** 20, 1)} MiB JSON, read ${fmt1(r.loadLogMs, 1)} ms`,
        ]);
        console.error(`shards ${shards} ${label}: median ${fmt1(median(r.times), 2)} ms`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  rmSync(built.dataDir, { recursive: true, force: true });
}
console.log(
  table(
    [
      'shards',
      'resume from',
      'median ms',
      'min ms',
      'max ms',
      'first after open ms',
      'snapshot',
      'whole log via runtime.loadEventsAfter (main thread)',
    ],
    rows,
  ),
);
printLoadAtEnd();
