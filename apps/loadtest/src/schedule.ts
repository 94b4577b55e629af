import type { Clock } from './clock.js';

export interface OpenLoopSchedule {
  clock: Clock;
  /** arrivals per second */
  rate: number;
  /** stop after this many arrivals (null: no limit) */
  count: number | null;
  /** stop once an arrival would be scheduled this late after the start (null: no limit) */
  durationMs: number | null;
  /** starts arrival `index`, scheduled for `scheduledAt` (on `clock`); must not wait for the turn to finish */
  onArrival(index: number, scheduledAt: number): void;
  /** checked before each arrival: true stops the schedule early (an interrupt) */
  stopped?(): boolean;
}

/**
 * Open-loop arrivals: arrival `i` is due at `start + i / rate` seconds, however long earlier turns take, and is
 * handed its due time (latency is measured from it, so a slow system shows its queueing instead of hiding it
 * by slowing the harness down: no coordinated omission). When the harness itself falls behind (a busy event
 * loop), the overdue arrivals are started at once, still with their own due times. Resolves with the number
 * of arrivals once the schedule is over (the turns may still run).
 */
export async function runOpenLoop(s: OpenLoopSchedule): Promise<number> {
  const start = s.clock.now();
  const interval = 1000 / s.rate;
  let i = 0;
  while (true) {
    if (s.count !== null && i >= s.count) break;
    const due = start + i * interval;
    if (s.durationMs !== null && due - start >= s.durationMs) break;
    if (s.stopped?.()) break;
    const wait = due - s.clock.now();
    if (wait > 0) {
      await s.clock.sleep(wait);
      continue; // re-check the stop conditions after a wait
    }
    s.onArrival(i, due);
    i++;
    // Let the started turns make progress between bursts of overdue arrivals.
    if (i % 64 === 0) await s.clock.sleep(0);
  }
  return i;
}
