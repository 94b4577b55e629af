import { availableParallelism } from 'node:os';
import { type Clock, realClock } from './clock.js';
import { describeError, FAILURE_KINDS, RunCounters } from './counters.js';
import { EmbeddedTarget } from './embedded-target.js';
import { HttpTarget } from './http-target.js';
import { LatencyRecorder } from './latency.js';
import { peakRssBytes } from './memory.js';
import { MixPicker, TURN_KINDS, type TurnKind } from './mix.js';
import { type LoadOptionsInput, plannedTurns, resolveLoadOptions } from './options.js';
import { forEachConcurrently } from './pool.js';
import type { LoadReport } from './report.js';
import { runOpenLoop } from './schedule.js';
import { SessionSlot } from './session-slot.js';
import type { LoadTarget, TargetMemory } from './target.js';
import { TimeSeries } from './time-series.js';
import { createSlotSession, type LatencyBook, scheduleTurn, type TurnRunnerDeps } from './turn-runner.js';

/** Where a run is and how far it got; passed to the `onProgress` listener of `runLoad`. */
export interface LoadProgress {
  phase: 'starting' | 'creating' | 'running' | 'verifying' | 'stopping';
  sessionsPlanned: number;
  sessionsCreated: number;
  turnsPlanned: number | null;
  turnsDone: number;
  /** turns completed in the last full second */
  turnsPerSecond: number;
  /** p99 turn latency so far, ms */
  p99Ms: number;
  events: number;
  errors: number;
  /** seconds since the turns began */
  elapsedS: number;
  /** `--duration`, when the run is bounded by time */
  durationS: number | null;
}

export type ProgressListener = (progress: LoadProgress) => void;

export interface RunLoadDeps {
  /** drive this target instead of the one the options name (tests) */
  target?: LoadTarget;
  clock?: Clock;
  onProgress?: ProgressListener;
  /** checked between turns: true stops starting new ones (Ctrl-C) */
  stopRequested?: () => boolean;
}

/** Concurrent calls while creating sessions up front and while re-reading logs at the end. */
const CREATE_CONCURRENCY = 256;
const VERIFY_CONCURRENCY = 16;

/**
 * Runs one load test and resolves with its report (never rejects because sessions failed: those are counted in
 * `errors`). Rejects with `LoadTestError` for bad options (`INVALID_OPTIONS`) or an embedded runtime that cannot
 * start (`RUNTIME_START`).
 *
 * Phases: start (or connect to) the target; create the sessions up front unless `create: 'on-arrival'`; run
 * the turns in a closed loop (`concurrency` in flight) or an open loop (`rate` per second on a schedule);
 * measure the heap with every session idle; re-read every session's log and compare it with what was seen
 * live; shut the target down.
 */
export async function runLoad(input: LoadOptionsInput = {}, deps: RunLoadDeps = {}): Promise<LoadReport> {
  const options = resolveLoadOptions(input);
  const clock = deps.clock ?? realClock;
  const startedAt = new Date();
  const planned = plannedTurns(options);
  const counters = new RunCounters();
  const all = new LatencyRecorder();
  const byKind = new Map<TurnKind | 'create', LatencyRecorder>();
  const latency: LatencyBook = {
    all,
    byKind,
    kindRecorder(kind) {
      const known = byKind.get(kind);
      if (known !== undefined) return known;
      const created = new LatencyRecorder();
      byKind.set(kind, created);
      return created;
    },
  };
  let phase: LoadProgress['phase'] = 'starting';
  let turnsStartedAt = clock.now();
  const series = new TimeSeries(() => clock.now() - turnsStartedAt);
  counters.onFailure = () => series.error();
  const progress = () =>
    deps.onProgress?.({
      phase,
      sessionsPlanned: options.sessions,
      sessionsCreated: counters.sessionsCreated,
      turnsPlanned: planned,
      turnsDone: counters.turns,
      turnsPerSecond: series.lastRate(),
      p99Ms: all.count > 0 ? all.summary().p99 : 0,
      events: counters.events,
      errors: counters.errors,
      elapsedS: phase === 'running' ? (clock.now() - turnsStartedAt) / 1000 : 0,
      durationS: options.duration ?? null,
    });
  progress();
  const ticker = deps.onProgress ? setInterval(progress, 250) : undefined;
  ticker?.unref();

  const tStart = clock.now();
  const target =
    deps.target ??
    (options.target !== undefined
      ? new HttpTarget(options.target, options.apiKey!)
      : await EmbeddedTarget.start(options));
  const phasesMs = { start: clock.now() - tStart, create: 0, turns: 0, verify: 0, shutdown: 0 };
  const slots = Array.from({ length: options.sessions }, (_, i) => new SessionSlot(i));
  const kindErrors = new Map<TurnKind, number>();
  const runner: TurnRunnerDeps = {
    target,
    counters,
    clock,
    series,
    latency,
    picker: new MixPicker(options.mix, options.seed),
    slots,
    kindErrors,
    turnTimeoutMs: options.turnTimeoutMs,
    busyMs: options.busyMs,
    streamTokens: options.streamTokens,
    onEvent: () => series.event(),
    createMetadata: (index) => ({ loadtest: String(index) }),
  };

  let heapCreated = 0;
  let heapAfterTurns = 0;
  let heapGc = false;
  let verified = false;
  try {
    const baseline = await target.memory();
    heapGc = baseline?.afterGc ?? false;
    const heapDelta = (m: TargetMemory | null) => {
      if (m === null || baseline === null) return 0;
      heapGc &&= m.afterGc;
      return m.heapUsed - baseline.heapUsed;
    };

    const tCreate = clock.now();
    if (options.create === 'upfront') {
      phase = 'creating';
      progress();
      await forEachConcurrently(slots.length, Math.min(CREATE_CONCURRENCY, slots.length), async (i) => {
        await createSlotSession(slots[i]!, runner);
      });
      heapCreated = heapDelta(await target.memory());
    }
    phasesMs.create = clock.now() - tCreate;

    phase = 'running';
    turnsStartedAt = clock.now();
    progress();
    const deadline = options.duration === undefined ? null : turnsStartedAt + options.duration * 1000;
    const stop = () => deps.stopRequested?.() === true;
    if (options.rate !== undefined) {
      await runOpenLoop({
        clock,
        rate: options.rate,
        count: planned,
        durationMs: options.duration === undefined ? null : options.duration * 1000,
        onArrival: (i, at) => void scheduleTurn(i, at, runner),
        stopped: stop,
      });
    } else {
      let next = 0;
      const lanes = Math.min(options.concurrency ?? options.sessions, planned ?? Number.POSITIVE_INFINITY);
      await forEachConcurrently(Math.max(1, lanes), Math.max(1, lanes), async () => {
        while (true) {
          if (planned !== null && next >= planned) return;
          if ((deadline !== null && clock.now() >= deadline) || stop()) return;
          await scheduleTurn(next++, null, runner);
        }
      });
    }
    await Promise.all(slots.map((s) => s.chain));
    phasesMs.turns = clock.now() - turnsStartedAt;
    heapAfterTurns = heapDelta(await target.memory());

    phase = 'verifying';
    progress();
    const tVerify = clock.now();
    await forEachConcurrently(slots.length, VERIFY_CONCURRENCY, async (i) => {
      const slot = slots[i]!;
      if (slot.id === undefined || slot.checker === undefined) return;
      if (options.verify) {
        try {
          counters.violations(slot.checker.compareWithStored(await target.readLog(slot.id)));
        } catch (err) {
          counters.fail('rejectedCalls', `re-reading session ${slot.id}: ${describeError(err)}`);
        }
      }
      if (!slot.failed) counters.violations(slot.checker.finish());
    });
    verified = options.verify;
    phasesMs.verify = clock.now() - tVerify;
  } finally {
    phase = 'stopping';
    progress();
    if (ticker) clearInterval(ticker);
    const tStop = clock.now();
    if (deps.target === undefined) await target.close();
    phasesMs.shutdown = clock.now() - tStop;
  }

  const durationMs = round(phasesMs.create + phasesMs.turns, 3);
  const perSecond = (n: number) => (durationMs > 0 ? round((n * 1000) / durationMs, 1) : 0);
  const perSession = (bytes: number) =>
    counters.sessionsCreated > 0 ? Math.round(bytes / counters.sessionsCreated) : 0;
  const kinds: LoadReport['kinds'] = {};
  const order = ['create', ...TURN_KINDS] as const;
  const sorted = [...byKind].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));
  for (const [kind, recorder] of sorted) {
    kinds[kind] = {
      turns: recorder.count,
      errors: kind === 'create' ? 0 : (kindErrors.get(kind) ?? 0),
      latencyMs: recorder.summary(),
    };
  }
  for (const [kind, n] of kindErrors) {
    kinds[kind] ??= { turns: 0, errors: n, latencyMs: new LatencyRecorder().summary() };
    if (!byKind.has(kind)) kinds[kind]!.turns = n;
    else kinds[kind]!.turns += n; // timed-out and refused turns have no latency but did end
  }
  const summary = all.summary();
  all.destroy();
  for (const r of byKind.values()) r.destroy();
  const embedded = target instanceof EmbeddedTarget ? target.settings : null;
  const { apiKey: _apiKey, ...config } = options;
  return {
    reportVersion: 2,
    startedAt: startedAt.toISOString(),
    target: options.target ?? 'embedded',
    mode: options.rate === undefined ? 'closed' : 'open',
    latencyFrom: options.rate === undefined ? 'start' : 'scheduled',
    sessions: counters.sessionsCreated,
    turns: counters.turns,
    turnsPlanned: planned,
    turnsSkipped: counters.turnsSkipped,
    events: counters.events,
    errors: counters.errors,
    errorBreakdown: Object.fromEntries(FAILURE_KINDS.map((k) => [k, counters.failures[k]])),
    violations: { ...counters.violationsByKind },
    errorSamples: [...counters.errorSamples],
    approvals: counters.approvals,
    denials: counters.denials,
    toolFailures: counters.toolFailures,
    notes: { ...counters.notes },
    verified,
    durationMs,
    turnsPerSecond: perSecond(counters.turns),
    eventsPerSecond: perSecond(counters.events),
    turnLatencyMs: summary,
    kinds,
    timeSeries: series.finish(),
    peakRssBytes: peakRssBytes(),
    heapBytesPerSession: perSession(heapAfterTurns),
    heapBytesPerSessionCreated: perSession(heapCreated),
    heapMeasuredAfterGc: heapGc,
    phasesMs: roundAll(phasesMs),
    shards: target.shards,
    durability: embedded?.durability ?? null,
    store: embedded?.store ?? null,
    dataDir: embedded?.dataDir ?? null,
    dataDirRemoved: embedded?.dataDirRemoved ?? false,
    node: process.version,
    cpus: availableParallelism(),
    platform: `${process.platform}-${process.arch}`,
    config,
  };
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
