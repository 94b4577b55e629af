/** Small async helpers for tests. Timeouts here are failure guards only; nothing asserts a duration. */

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves after every microtask queued so far and one turn of the event loop have run. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Lets a few event-loop turns pass, so promise chains started by a step (no I/O) have settled. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await nextTurn();
}

/**
 * How long a test waits for a signal before failing. Generous on purpose: the suite must pass on a loaded
 * machine, and a wait that holds returns as soon as its condition does.
 */
export const TEST_DEADLINE_MS = 60_000;

/** Polls `cond` until it holds; rejects with `what` after `timeoutMs` (a guard against hanging tests). */
export async function waitUntil(
  cond: () => boolean,
  what: string | (() => string),
  timeoutMs = TEST_DEADLINE_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting until ${typeof what === 'string' ? what : what()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Like `waitUntil` for a condition that has to be checked asynchronously (e.g. by reading a store). */
export async function waitUntilAsync(
  cond: () => Promise<boolean>,
  what: string,
  timeoutMs = TEST_DEADLINE_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
