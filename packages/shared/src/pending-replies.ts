type Settle = (value: unknown) => void;

/**
 * Promises waiting for replies by id, for request/reply traffic over a message port (the runtime's commands to
 * its shards, a shard's store calls to the main thread). Every waiting entry is its promise's resolve function
 * only: a failure resolves it with a rejected promise, which rejects the waiting promise with that error. And
 * every promise is made with one shared executor. So a request costs no pending object, no reject function and
 * no executor closure (issue 5: allocation per turn).
 */
export class PendingReplies {
  private readonly waiting = new Map<number, Settle>();
  /** set by `capture`, the one executor every promise is made with */
  private captured: Settle | undefined;
  private readonly capture = (resolve: Settle): void => {
    this.captured = resolve;
  };

  /** How many replies are awaited. */
  get size(): number {
    return this.waiting.size;
  }

  /** A promise settled by `resolve(id, …)` or `reject(id, …)`. */
  wait<T>(id: number): Promise<T> {
    const promise = new Promise<T>(this.capture as (resolve: (value: T) => void) => void);
    this.waiting.set(id, this.captured!);
    this.captured = undefined;
    return promise;
  }

  /** Settles the promise waiting for `id` with `value`; false when nothing waits for it. */
  resolve(id: number, value: unknown): boolean {
    const settle = this.take(id);
    if (settle === undefined) return false;
    settle(value);
    return true;
  }

  /**
   * Rejects the promise waiting for `id` with `err`; false when nothing waits for it (then no rejected
   * promise is made at all: nobody would handle it).
   */
  reject(id: number, err: Error): boolean {
    const settle = this.take(id);
    if (settle === undefined) return false;
    settle(Promise.reject(err));
    return true;
  }

  private take(id: number): Settle | undefined {
    const settle = this.waiting.get(id);
    if (settle !== undefined) this.waiting.delete(id);
    return settle;
  }

  /** Rejects every waiting promise, each with its own error from `makeError`, and forgets them. */
  rejectAll(makeError: () => Error): void {
    const settles = [...this.waiting.values()];
    this.waiting.clear();
    for (const settle of settles) settle(Promise.reject(makeError()));
  }
}
