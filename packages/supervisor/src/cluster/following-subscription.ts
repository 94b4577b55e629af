import type { LocalSubscription } from './local-runtime.js';

/**
 * The shell shared by the cluster's event and delta subscriptions: an async iterable over `run()`, a
 * generator that follows the session from owner to owner, and a `close()` that stops it wherever it is
 * reading (this node's hub through `localSource`, a peer's stream through `abort`).
 */
export abstract class FollowingSubscription<T> implements AsyncIterable<T> {
  protected closed = false;
  protected readonly abort = new AbortController();
  protected localSource: LocalSubscription<T> | undefined;
  private readonly iterator: AsyncGenerator<T>;

  constructor() {
    // A generator's body runs on the first `next()`, after the subclass has set its fields.
    this.iterator = this.run();
  }

  protected abstract run(): AsyncGenerator<T>;

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => this.iterator.next(),
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    await this.localSource?.close();
    // A `next()` in flight ends on its own now (its source was closed); later ones get `done`.
    void this.iterator.return(undefined);
  }
}
