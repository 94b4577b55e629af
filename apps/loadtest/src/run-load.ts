import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Runtime, type RuntimeOptions } from '@shoal/supervisor';
import { z } from 'zod';
import { describeError, RunCounters } from './counters.js';
import { LoadTestError } from './errors.js';
import { heapProbeLoaded, probeWorkerHeaps } from './heap-probe-client.js';
import { LatencyRecorder } from './latency.js';
import { forceGc, mainHeapUsed, peakRssBytes } from './memory.js';
import { type LoadOptions, type LoadOptionsInput, resolveLoadOptions } from './options.js';
import { forEachConcurrently } from './pool.js';
import type { LoadReport } from './report.js';
import { scriptTurns } from './scripts.js';
import { SessionDriver } from './session-driver.js';

/** Where a run is and how far it got; passed to the `onProgress` listener of `runLoad`. */
export interface LoadProgress {
  phase: 'starting' | 'creating' | 'running' | 'stopping';
  sessionsPlanned: number;
  sessionsCreated: number;
  sessionsDone: number;
  turnsPlanned: number;
  turnsDone: number;
  events: number;
  errors: number;
}

export type ProgressListener = (progress: LoadProgress) => void;

/** The part of a shard's `stats` answer the harness reads (the rest is the runtime's business). */
const ShardStatsSchema = z.object({ memory: z.object({ heapUsed: z.number() }) });

/**
 * Runs one load test against an embedded runtime and resolves with its report (never rejects because
 * sessions failed: those are counted in `errors`). Rejects with `LoadTestError` for bad options
 * (`INVALID_OPTIONS`), `--target` (`TARGET_UNAVAILABLE`) or a runtime that cannot start (`RUNTIME_START`).
 *
 * Phases: start the runtime; create every session (at most `concurrency` calls in flight); drive the sessions
 * (at most `concurrency` at once, each turn by turn, see `SessionDriver`); measure the heap with every
 * session resident and idle; shut down and remove the temp data dir.
 */
export async function runLoad(
  input: LoadOptionsInput = {},
  onProgress?: ProgressListener,
): Promise<LoadReport> {
  const options = resolveLoadOptions(input);
  if (options.target !== undefined) {
    throw new LoadTestError(
      'TARGET_UNAVAILABLE',
      `the HTTP host target is not available yet (--target ${options.target}); ` +
        'run without --target to load an embedded runtime',
    );
  }
  const startedAt = new Date();
  const concurrency = options.concurrency ?? options.sessions;
  const turnsPlanned = options.sessions * options.turns;
  const counters = new RunCounters();
  const latency = new LatencyRecorder();
  let phase: LoadProgress['phase'] = 'starting';
  const progress = () =>
    onProgress?.({
      phase,
      sessionsPlanned: options.sessions,
      sessionsCreated: counters.sessionsCreated,
      sessionsDone: counters.sessionsDone,
      turnsPlanned,
      turnsDone: counters.turns,
      events: counters.events,
      errors: counters.errors,
    });
  progress();

  const ownDir = options.dataDir === undefined;
  const dataDir = ownDir ? await mkdtemp(join(tmpdir(), 'shoal-loadtest-')) : resolve(options.dataDir!);
  const removeDir = ownDir && !options.keep;
  const inProcess = options.shards === 0;

  const baselineMain = mainHeapUsed();
  const tStart = performance.now();
  let runtime: Runtime;
  try {
    runtime = await Runtime.start(runtimeOptions(options, dataDir));
  } catch (err) {
    if (removeDir) await rm(dataDir, { recursive: true, force: true });
    throw new LoadTestError('RUNTIME_START', `cannot start the runtime: ${describeError(err)}`, {
      cause: err,
    });
  }

  let shardCount = 0;
  let phasesMs = { start: performance.now() - tStart, create: 0, turns: 0, shutdown: 0 };
  let heapCreated = 0;
  let heapAfterTurns = 0;
  let heapGc = forceGc() !== null;
  try {
    shardCount = inProcess ? 0 : runtime.shardCount;
    const workerBaseline = await workerHeapUsed(runtime, shardCount);
    heapGc &&= workerBaseline.gc;
    const baseline = baselineMain + workerBaseline.bytes;
    const tCreate = performance.now();

    phase = 'creating';
    progress();
    const ids: (string | undefined)[] = new Array(options.sessions).fill(undefined);
    await forEachConcurrently(options.sessions, concurrency, async (i) => {
      try {
        ids[i] = await runtime.createSession({ metadata: { loadtest: String(i) } });
        counters.sessionsCreated++;
      } catch (err) {
        counters.fail('rejectedCalls', `createSession: ${describeError(err)}`);
        counters.turnsSkipped += options.turns;
      }
      progress();
    });
    const tCreated = performance.now();
    phasesMs.create = tCreated - tCreate;
    const totalHeapUsed = async () => {
      const workers = await workerHeapUsed(runtime, shardCount);
      heapGc &&= workers.gc;
      return mainHeapUsed() + workers.bytes;
    };
    heapCreated = (await totalHeapUsed()) - baseline;

    phase = 'running';
    progress();
    const tTurns = performance.now();
    const deps = {
      runtime,
      counters,
      latency,
      turnTimeoutMs: options.turnTimeoutMs,
      onTurnEnd: progress,
    };
    await forEachConcurrently(options.sessions, concurrency, async (i) => {
      const id = ids[i];
      if (id === undefined) return;
      await new SessionDriver(id, deps).run(scriptTurns(options.script, options.turns, i));
      counters.sessionsDone++;
      progress();
    });
    phasesMs.turns = performance.now() - tTurns;
    heapAfterTurns = (await totalHeapUsed()) - baseline;
  } finally {
    phase = 'stopping';
    progress();
    const tStop = performance.now();
    await runtime.shutdown();
    phasesMs.shutdown = performance.now() - tStop;
    if (removeDir) await rm(dataDir, { recursive: true, force: true });
  }
  phasesMs = roundAll(phasesMs);

  const durationMs = round(phasesMs.create + phasesMs.turns, 3);
  const perSecond = (n: number) => (durationMs > 0 ? round((n * 1000) / durationMs, 1) : 0);
  const perSession = (bytes: number) =>
    counters.sessionsCreated > 0 ? Math.round(bytes / counters.sessionsCreated) : 0;
  const summary = latency.summary();
  latency.destroy();
  return {
    reportVersion: 1,
    startedAt: startedAt.toISOString(),
    sessions: counters.sessionsCreated,
    turns: counters.turns,
    turnsPlanned,
    turnsSkipped: counters.turnsSkipped,
    events: counters.events,
    errors: counters.errors,
    errorBreakdown: { ...counters.failures },
    errorSamples: [...counters.errorSamples],
    approvals: counters.approvals,
    toolFailures: counters.toolFailures,
    durationMs,
    turnsPerSecond: perSecond(counters.turns),
    eventsPerSecond: perSecond(counters.events),
    turnLatencyMs: summary,
    peakRssBytes: peakRssBytes(),
    heapBytesPerSession: perSession(heapAfterTurns),
    heapBytesPerSessionCreated: perSession(heapCreated),
    heapMeasuredAfterGc: heapGc,
    phasesMs,
    shards: shardCount,
    durability: options.durability,
    store: options.store,
    dataDir,
    dataDirRemoved: removeDir,
    node: process.version,
    cpus: availableParallelism(),
    platform: `${process.platform}-${process.arch}`,
    config: { ...options },
  };
}

function runtimeOptions(options: LoadOptions, dataDir: string): RuntimeOptions {
  const simulated: { firstTokenMs?: number; tokensPerSecond?: number } = {};
  if (options.firstTokenMs !== undefined) simulated.firstTokenMs = options.firstTokenMs;
  if (options.tokensPerSecond !== undefined) simulated.tokensPerSecond = options.tokensPerSecond;
  return {
    dataDir,
    store: options.store,
    durability: options.durability,
    ...(options.shards === undefined ? {} : { shards: options.shards }),
    providers: { simulated },
    logLevel: options.logLevel,
  };
}

/**
 * Heap used by the runtime's worker threads (none with `shards: 0`). With the heap probe preloaded (the CLI
 * does that) each worker runs a full GC and reports its isolate's used heap; otherwise each shard's own
 * `stats` answer is used, which includes whatever garbage the worker has not collected yet.
 */
async function workerHeapUsed(runtime: Runtime, workers: number): Promise<{ bytes: number; gc: boolean }> {
  if (workers === 0) return { bytes: 0, gc: true };
  if (heapProbeLoaded()) {
    const heaps = await probeWorkerHeaps(workers, 5000);
    if (heaps !== null) {
      return { bytes: heaps.reduce((n, h) => n + h.usedHeapSize, 0), gc: heaps.every((h) => h.gc) };
    }
  }
  const stats = await runtime.shardStats();
  const bytes = stats.reduce<number>((sum, s) => {
    const parsed = ShardStatsSchema.safeParse(s);
    return sum + (parsed.success ? parsed.data.memory.heapUsed : 0);
  }, 0);
  return { bytes, gc: false };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function roundAll<T extends Record<string, number>>(values: T): T {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(values)) out[k] = round(v, 3);
  return out as T;
}
