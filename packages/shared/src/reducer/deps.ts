import { randomUUID } from 'node:crypto';

/**
 * Deliberate change 11 (spec §11.8): every id the reducer mints and every "now" it reads comes from here, so
 * golden tests can pin them. `now()` is Unix time in whole seconds (spec notation).
 */
export interface ReducerDeps {
  newId(): string;
  now(): number;
}

/** Production dependencies: random v4 UUIDs and the wall clock. */
export const systemDeps: ReducerDeps = {
  newId: () => randomUUID(),
  now: () => Math.floor(Date.now() / 1000),
};

/**
 * Deterministic dependencies for tests: ids `${prefix}1`, `${prefix}2`, … and a clock that starts at
 * `startTime` and never moves unless `advance` is called.
 */
export function sequentialDeps(
  prefix = 'id_',
  startTime = 1_700_000_000,
): ReducerDeps & { advance(s: number): void } {
  let n = 0;
  let t = startTime;
  return {
    newId: () => `${prefix}${++n}`,
    now: () => t,
    advance: (s: number) => {
      t += s;
    },
  };
}
