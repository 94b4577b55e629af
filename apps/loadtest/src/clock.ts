import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** Time as the scheduler sees it: injected so a test can run a schedule on virtual time. */
export interface Clock {
  /** milliseconds on a monotonic clock */
  now(): number;
  /** resolves after `ms` (0: after the event loop had a turn) */
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => sleep(Math.max(0, ms)).then(() => undefined),
};
