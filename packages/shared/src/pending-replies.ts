interface Waiter {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/**
 * Promises waiting for replies by id, for request/reply traffic over a message port (the runtime's commands to
 * its shards, a shard's store calls to the main thread).
 */
export class PendingReplies {
  private readonly waiting = new Map<number, Waiter>();

  /** How many replies are awaited. */
  get size(): number {
    return this.waiting.size;
  }

  /** A promise settled by `resolve(id, …)` or `reject(id, …)`. */
  wait<T>(id: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
    });
  }

  /** Settles the promise waiting for `id` with `value`; false when nothing waits for it. */
  resolve(id: number, value: unknown): boolean {
    const waiter = this.take(id);
    waiter?.resolve(value);
    return waiter !== undefined;
  }

  /** Rejects the promise waiting for `id` with `err`; false when nothing waits for it. */
  reject(id: number, err: Error): boolean {
    const waiter = this.take(id);
    waiter?.reject(err);
    return waiter !== undefined;
  }

  private take(id: number): Waiter | undefined {
    const waiter = this.waiting.get(id);
    if (waiter !== undefined) this.waiting.delete(id);
    return waiter;
  }

  /** Rejects every waiting promise, each with its own error from `makeError`, and forgets them. */
  rejectAll(makeError: () => Error): void {
    const waiters = [...this.waiting.values()];
    this.waiting.clear();
    for (const waiter of waiters) waiter.reject(makeError());
  }
}
