import type { MessagePort } from 'node:worker_threads';
import type { ResidentSession, ShardHeap, ShardInspection, ShardStats } from '@shoal/session-worker';
import { type Remote, wrap } from 'comlink';

/**
 * The main thread's end of one worker thread's inspection port, called through comlink. Comlink leaves a
 * call waiting forever when the other side goes away, so this line keeps its calls and fails them when the
 * port closes (the thread died or was terminated): a replacement thread gets a line of its own.
 */
export class InspectionLine implements ShardInspection {
  private readonly remote: Remote<ShardInspection>;
  private readonly waiting = new Set<(err: Error) => void>();
  private closedBy: Error | undefined;

  constructor(
    private readonly port: MessagePort,
    /** what a call still waiting, or made, after the port closed rejects with */
    private readonly closedError: () => Error,
  ) {
    this.remote = wrap<ShardInspection>(port);
    // The worker keeps the process alive while it runs; a call waiting here must not on its own.
    port.unref();
    port.once('close', () => this.close(this.closedError()));
  }

  stats(): Promise<ShardStats> {
    return this.call((r) => r.stats());
  }

  residentSessions(): Promise<ResidentSession[]> {
    return this.call((r) => r.residentSessions());
  }

  heap(options?: { collectGarbage?: boolean }): Promise<ShardHeap> {
    return this.call((r) => r.heap(options));
  }

  setLogLevel(level: ShardStats['logLevel']): Promise<void> {
    return this.call((r) => r.setLogLevel(level));
  }

  chaos(how: Parameters<ShardInspection['chaos']>[0]): Promise<void> {
    return this.call((r) => r.chaos(how));
  }

  /** Fails every call still waiting with `err` and closes the port; later calls fail the same way. */
  close(err: Error): void {
    if (this.closedBy) return;
    this.closedBy = err;
    for (const reject of this.waiting) reject(err);
    this.waiting.clear();
    this.port.close();
  }

  private call<T>(fn: (remote: Remote<ShardInspection>) => Promise<T>): Promise<T> {
    if (this.closedBy) return Promise.reject(this.closedBy);
    return new Promise<T>((resolve, reject) => {
      this.waiting.add(reject);
      fn(this.remote)
        .then(resolve, reject)
        .finally(() => this.waiting.delete(reject));
    });
  }
}
