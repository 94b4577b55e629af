import type { ServerResponse } from 'node:http';

/** Counts responses not yet finished, so a graceful shutdown can wait for them while still listening. */
export class InFlightRequests {
  private count = 0;
  private waiters: Array<() => void> = [];

  get size(): number {
    return this.count;
  }

  /** Counts `res` until it is finished or its client goes away. */
  track(res: ServerResponse): void {
    this.count++;
    res.once('close', () => {
      this.count--;
      if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Resolves once nothing is in flight (at once when nothing is). */
  whenIdle(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
