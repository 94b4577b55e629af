import type { Clock } from './clock.js';
import { describeError, type RunCounters } from './counters.js';
import type { LatencyRecorder } from './latency.js';
import type { MixPicker, TurnKind } from './mix.js';
import { type DriverDeps, driveTurn } from './session-driver.js';
import type { SessionSlot } from './session-slot.js';
import type { TimeSeries } from './time-series.js';

/** Latency histograms: every turn, each kind, and session creation. */
export interface LatencyBook {
  all: LatencyRecorder;
  byKind: Map<TurnKind | 'create', LatencyRecorder>;
  kindRecorder(kind: TurnKind | 'create'): LatencyRecorder;
}

export interface TurnRunnerDeps extends DriverDeps {
  clock: Clock;
  counters: RunCounters;
  series: TimeSeries;
  latency: LatencyBook;
  picker: MixPicker;
  slots: readonly SessionSlot[];
  /** turns of each kind that did not end as expected */
  kindErrors: Map<TurnKind, number>;
  /** run start on `clock`, for metadata of created sessions */
  createMetadata(index: number): Record<string, string>;
}

/** Creates a slot's session (recording the call's latency under `create`); false when it failed. */
export async function createSlotSession(slot: SessionSlot, deps: TurnRunnerDeps): Promise<boolean> {
  const { clock, counters, latency } = deps;
  const t0 = clock.now();
  try {
    slot.attach(await deps.target.createSession(deps.createMetadata(slot.index)));
    counters.sessionsCreated++;
    latency.kindRecorder('create').record(clock.now() - t0);
    return true;
  } catch (err) {
    slot.createFailed = true;
    counters.fail('rejectedCalls', `createSession (session ${slot.index}): ${describeError(err)}`);
    return false;
  }
}

/**
 * Schedules turn `index` of the run on its session (`index mod sessions`, so turns go round the sessions) and
 * returns the promise of that session's chain: a session runs its turns one at a time, in index order. With
 * `scheduledAt` (open loop) the latency counts from then, including any wait behind the session's earlier turns;
 * without it (closed loop), from the moment the turn starts. Never rejects.
 */
export function scheduleTurn(index: number, scheduledAt: number | null, deps: TurnRunnerDeps): Promise<void> {
  const slot = deps.slots[index % deps.slots.length]!;
  const kind = deps.picker.kindOf(index);
  slot.chain = slot.chain.then(() =>
    runTurn(slot, kind, scheduledAt, deps).catch((err: unknown) => {
      deps.counters.fail(
        'rejectedCalls',
        `session ${slot.index} (${kind} turn): harness failure: ${describeError(err)}`,
      );
    }),
  );
  return slot.chain;
}

async function runTurn(slot: SessionSlot, kind: TurnKind, scheduledAt: number | null, deps: TurnRunnerDeps) {
  const { clock, counters, series, latency } = deps;
  if (slot.failed || slot.createFailed) {
    counters.turnsSkipped++;
    return;
  }
  if (slot.id === undefined && !(await createSlotSession(slot, deps))) {
    counters.turnsSkipped++;
    return;
  }
  const started = clock.now();
  counters.turnsStarted++;
  series.started();
  const result = await driveTurn(slot, kind, deps);
  const elapsed = clock.now() - (scheduledAt ?? started);
  counters.turns++;
  const failedKind = () => deps.kindErrors.set(kind, (deps.kindErrors.get(kind) ?? 0) + 1);
  const where = `session ${slot.index} (${kind} turn)`;
  switch (result.type) {
    case 'done':
      latency.all.record(elapsed);
      latency.kindRecorder(kind).record(elapsed);
      series.completed(elapsed);
      if (result.outcome.ok) {
        if (result.outcome.note !== undefined) counters.notes[result.outcome.note]++;
      } else {
        failedKind();
        counters.fail('unexpectedOutcomes', `${where}: ${result.outcome.message}`);
      }
      break;
    case 'timeout':
      failedKind();
      slot.failed = true;
      counters.fail(
        'timedOutTurns',
        `${where}: no end within ${deps.turnTimeoutMs} ms (cancelled; the session stops)`,
      );
      break;
    case 'rejected':
      failedKind();
      slot.failed = true;
      counters.fail('rejectedCalls', `${where}: ${result.message}`);
      break;
  }
}
