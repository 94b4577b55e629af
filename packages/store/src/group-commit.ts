/*
 * Group commit: every write of the LevelDB store goes through one queue. Entries that arrive in the
 * same turn of the event loop are written as ONE LevelDB batch (so one fsync is shared by many sessions), and
 * while that batch is in flight the next group accumulates. Entries keep their FIFO order inside and across
 * batches, which is what makes per-session ordering (append, then snapshot, then delete) hold.
 */

/** Waves of at least this many entries go out in two halves (`eagerEntries`). */
export const PIPELINE_MIN_WAVE = 512;

export type BatchOp = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

export type BatchWriter = (ops: BatchOp[]) => Promise<void>;

interface Entry {
  readonly sessionId: string;
  readonly ticket: number;
  readonly ops: BatchOp[];
  readonly result: unknown;
  resolve(result: unknown): void;
  reject(err: unknown): void;
}

export interface GroupCommitHooks {
  /** Maps the writer's error to what the entries of the failed batch are rejected with. */
  mapError(err: unknown): Error;
  /**
   * Called once per failed batch with the sessions it touched, before anything is rejected. Queued entries of
   * those sessions were computed on top of the lost writes (sequence numbers, catalog), so they are rejected
   * with the error this returns.
   */
  onBatchFailed(sessions: ReadonlySet<string>, err: Error): Error;
  /** Called after every batch has settled (written or failed), once its entries are resolved or rejected. */
  onSettled?(): void;
}

export interface GroupCommitStats {
  batches: number;
  entries: number;
  ops: number;
}

export interface GroupCommitOptions {
  /**
   * Start a write as soon as this many ops wait and no write is in flight, instead of at the end of the turn.
   * The rest of the turn's appends are then prepared (validated, encoded) while that write is on disk:
   * CPU and I/O overlap instead of taking turns. Default `'auto'`: see `eagerEntries`; `Infinity`: never
   * early, everything that arrives in one event-loop turn is one batch.
   */
  flushAtOps?: number | 'auto';
}

export class GroupCommit {
  private pending: Entry[] = [];
  private pendingOps = 0;
  private scheduled = false;
  private inFlight = false;
  private idleWaiters: Array<() => void> = [];
  private tickets = 0;
  private settledTickets = 0;
  readonly stats: GroupCommitStats = { batches: 0, entries: 0, ops: 0 };

  /** Op threshold for an eager flush (Infinity: end of turn only), or undefined for the adaptive one. */
  private readonly flushAtOps: number | undefined;
  /**
   * Adaptive eager-flush threshold (in entries). A busy store's writers come back in waves: each session
   * appends again once its last append is acknowledged. The wave is estimated when a batch settles: its entries
   * (they are about to come back) plus those already waiting. When it is large (PIPELINE_MIN_WAVE entries or
   * more), the first half of it is written as soon as it is queued and the second half is prepared (validated,
   * encoded) while that batch is on disk: the main thread's CPU overlaps LevelDB's write and sync instead of
   * taking turns with it. Smaller waves stay one batch per turn: there the sync, not the CPU, is the cost, and
   * splitting would double it (README "Group commit" has both measurements).
   */
  private eagerEntries = Number.POSITIVE_INFINITY;

  constructor(
    private readonly write: BatchWriter,
    private readonly hooks: GroupCommitHooks,
    opts: GroupCommitOptions = {},
  ) {
    this.flushAtOps = opts.flushAtOps === 'auto' ? undefined : opts.flushAtOps;
  }

  /**
   * Queues `ops` (one atomic unit) and resolves with `result` once the batch holding them is written (the
   * result rides along so that an append costs one promise, not two).
   */
  enqueue<T = void>(sessionId: string, ops: BatchOp[], result?: T): Promise<T> {
    const ticket = ++this.tickets;
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ sessionId, ticket, ops, result, resolve: resolve as (r: unknown) => void, reject });
      this.pendingOps += ops.length;
      if (!this.inFlight && this.eagerFlushDue()) this.flush();
      else this.schedule();
    });
  }

  /**
   * Every entry gets a ticket, increasing in enqueue order; this is the last one handed out (read it right
   * after `enqueue` to learn the entry's ticket without a second return value on the hot path).
   */
  get lastTicket(): number {
    return this.tickets;
  }

  /**
   * Every entry with a ticket up to this one has settled: its batch was written or failed. Batches take all
   * pending entries in FIFO order, so settling a batch settles every earlier ticket too. (Entries rejected early
   * because an earlier batch of their session failed count as settled only once a later batch passes them:
   * conservative, never the other way round.)
   */
  get settledThrough(): number {
    return this.settledTickets;
  }

  /** Resolves when nothing is queued or in flight. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private eagerFlushDue(): boolean {
    return this.flushAtOps === undefined
      ? this.pending.length >= this.eagerEntries
      : this.pendingOps >= this.flushAtOps;
  }

  private isIdle(): boolean {
    return this.pending.length === 0 && !this.inFlight && !this.scheduled;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    // setImmediate, not a microtask: it runs after everything this event-loop turn produced, so appends
    // issued by many sessions' continuations in the same turn land in the same batch.
    setImmediate(() => {
      this.scheduled = false;
      if (this.inFlight) return; // an eager flush got there first; settle() takes over
      this.flush();
    });
  }

  private flush(): void {
    const group = this.pending;
    if (group.length === 0) {
      this.notifyIdle();
      return;
    }
    this.pending = [];
    this.pendingOps = 0;
    this.inFlight = true;
    let ops: BatchOp[];
    if (group.length === 1) {
      ops = group[0]!.ops;
    } else {
      ops = [];
      for (const e of group) for (const op of e.ops) ops.push(op);
    }
    this.stats.batches += 1;
    this.stats.entries += group.length;
    this.stats.ops += ops.length;
    let written: Promise<void>;
    try {
      written = this.write(ops);
    } catch (err) {
      written = Promise.reject(err);
    }
    written.then(
      () => this.settle(group, undefined),
      (err: unknown) => this.settle(group, err),
    );
  }

  private settle(group: Entry[], failure: unknown): void {
    this.inFlight = false;
    const wave = group.length + this.pending.length;
    this.eagerEntries = wave >= PIPELINE_MIN_WAVE ? wave >>> 1 : Number.POSITIVE_INFINITY;
    this.settledTickets = group[group.length - 1]!.ticket;
    if (failure === undefined) {
      for (const e of group) e.resolve(e.result);
    } else {
      const err = this.hooks.mapError(failure);
      const sessions = new Set(group.map((e) => e.sessionId));
      const dependentErr = this.hooks.onBatchFailed(sessions, err);
      const keep: Entry[] = [];
      const dependents: Entry[] = [];
      for (const e of this.pending) (sessions.has(e.sessionId) ? dependents : keep).push(e);
      this.pending = keep;
      this.pendingOps = keep.reduce((n, e) => n + e.ops.length, 0);
      for (const e of group) e.reject(err);
      for (const e of dependents) e.reject(dependentErr);
    }
    this.hooks.onSettled?.();
    // Resolutions run their continuations as microtasks; the next flush comes after them (setImmediate), so the
    // appends those continuations issue join the next batch.
    if (this.pending.length === 0) this.notifyIdle();
    else this.schedule();
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
