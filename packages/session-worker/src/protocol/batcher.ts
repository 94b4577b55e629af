/** What a batcher is told about messages it could not deliver, and what it keeps to fail them later. */
export interface BatcherOptions<T, M> {
  /**
   * What to keep of a posted message (a request's id, say) so that it can be failed should the other side
   * report the batch unreadable (`lost`); `undefined` keeps nothing. Without it no batch is remembered.
   */
  remember?: (msg: T) => M | undefined;
  /** A message that `postMessage` refused (not structured-cloneable, too deep): fail what it carried. */
  undeliverable?: (msg: T, err: Error) => void;
  /** how many posted batches are remembered for `lost` (default 16384) */
  retain?: number;
}

const DEFAULT_RETAIN = 16_384;

/**
 * Coalesces the messages one side of a port produces during an event-loop turn into a single
 * `postMessage` of an array. Every message crossing a thread costs a structured clone and a wake-up of
 * the other thread; at thousands of turns per second batching is what keeps the port from dominating.
 * Order is preserved: batches are sent in order and each batch keeps its messages' order.
 *
 * A batch that `postMessage` refuses is posted again one message at a time, so only the messages that
 * cannot be sent are lost, and each of those is handed to `undeliverable` (nothing throws inside
 * `setImmediate`). Each successful post has a sequence number (1, 2, …): the other side counts the
 * `message` and `messageerror` events it receives, which arrive in post order, so it can name a batch it
 * could not read, and `lost(seq)` returns what was remembered of it.
 */
export class MessageBatcher<T, M = never> {
  private batch: T[] = [];
  private scheduled = false;
  private posted = 0;
  private readonly retain: number;
  /** per retained post: its sequence number and what was remembered of it (a ring buffer) */
  private readonly seqs: number[];
  private readonly memos: (M[] | undefined)[];

  constructor(
    private readonly flushTo: (batch: T[]) => void,
    private readonly options: BatcherOptions<T, M> = {},
  ) {
    this.retain = options.remember ? Math.max(1, options.retain ?? DEFAULT_RETAIN) : 0;
    this.seqs = [];
    this.memos = [];
  }

  /** How many batches were posted so far (the sequence number of the last one). */
  get postedBatches(): number {
    return this.posted;
  }

  send(msg: T): void {
    this.batch.push(msg);
    if (!this.scheduled) {
      this.scheduled = true;
      // setImmediate (not a microtask) so that everything the current turn's promise chains produce
      // lands in the same batch.
      setImmediate(this.flush);
    }
  }

  readonly flush = (): void => {
    this.scheduled = false;
    if (this.batch.length === 0) return;
    const out = this.batch;
    this.batch = [];
    try {
      this.flushTo(out);
    } catch {
      this.postOneByOne(out);
      return;
    }
    this.record(out);
  };

  /**
   * What was remembered of post `seq`: a list (empty when nothing in it needed remembering), or
   * `undefined` when that post is no longer retained (or never happened).
   */
  lost(seq: number): M[] | undefined {
    if (this.retain === 0 || seq < 1 || seq > this.posted) return undefined;
    const slot = seq % this.retain;
    if (this.seqs[slot] !== seq) return undefined;
    const memo = this.memos[slot] ?? [];
    this.memos[slot] = undefined;
    return memo;
  }

  private postOneByOne(out: T[]): void {
    for (const msg of out) {
      const one = [msg];
      try {
        this.flushTo(one);
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        if (this.options.undeliverable) this.options.undeliverable(msg, error);
        continue;
      }
      this.record(one);
    }
  }

  private record(out: T[]): void {
    const seq = ++this.posted;
    const remember = this.options.remember;
    if (remember === undefined) return;
    let memo: M[] | undefined;
    for (const msg of out) {
      const m = remember(msg);
      if (m === undefined) continue;
      if (memo === undefined) memo = [m];
      else memo.push(m);
    }
    const slot = seq % this.retain;
    this.seqs[slot] = seq;
    this.memos[slot] = memo;
  }
}
