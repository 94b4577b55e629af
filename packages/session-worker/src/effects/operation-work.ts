/**
 * The work of one operation: its `AbortController` (spec §5.0: every piece of work of one op shares it) and how
 * many pieces of work started under it have not settled yet. `opId` is cleared when the op is forgotten
 * (completed, cancelled); the entry stays while work started under it still runs (a late title), so
 * `abortAll` reaches it.
 */
export interface OpWork {
  opId: string | undefined;
  readonly ctrl: AbortController;
  running: number;
}

/**
 * The operations of one session that have a controller or work in flight (spec §5.0, fixes §11.17: finished
 * operations are forgotten). Usually none or one, so a small array searched linearly, dropped once empty: an
 * idle session should cost as little memory as possible.
 */
export class OperationWork {
  private work: OpWork[] | undefined;

  /** true while a model call, tool or compaction started by this session has not settled */
  get inFlight(): boolean {
    return this.work?.some((w) => w.running > 0) ?? false;
  }

  /** The op's entry, made on first use. */
  for(opId: string): OpWork {
    let w = this.find(opId);
    if (w === undefined) {
      w = { opId, ctrl: new AbortController(), running: 0 };
      if (this.work === undefined) this.work = [w];
      else this.work.push(w);
    }
    return w;
  }

  /**
   * Counts `work` as in flight under `w` until it settles, so `abortAll` can reach work of finished operations
   * too; the callbacks run after that bookkeeping, with the outcome.
   */
  track<T>(
    w: OpWork,
    work: Promise<T>,
    onFulfilled: (value: T) => void,
    onRejected: (err: unknown) => void,
  ): void {
    w.running++;
    work.then(
      (value) => {
        this.settled(w);
        onFulfilled(value);
      },
      (err: unknown) => {
        this.settled(w);
        onRejected(err);
      },
    );
  }

  /** Forgets the op (if known), aborting its work if asked; its entry goes once no work runs under it. */
  forget(opId: string, abort: boolean): void {
    const w = this.find(opId);
    if (w === undefined) return;
    w.opId = undefined;
    if (abort) w.ctrl.abort();
    if (w.running === 0) this.retire(w);
  }

  /** Aborts everything still running, including work that outlived its operation (a slow title). */
  abortAll(): void {
    const work = this.work;
    if (work === undefined) return;
    for (const w of work) {
      w.ctrl.abort();
      w.opId = undefined; // forgotten: a later effect of the same op gets a fresh controller
    }
    this.work = work.some((w) => w.running > 0) ? work.filter((w) => w.running > 0) : undefined;
  }

  private find(opId: string): OpWork | undefined {
    const work = this.work;
    if (work === undefined) return undefined;
    for (const w of work) if (w.opId === opId) return w;
    return undefined;
  }

  private settled(w: OpWork): void {
    w.running--;
    if (w.running === 0 && w.opId === undefined) this.retire(w);
  }

  /** The entry is forgotten and nothing runs under it: drop it. */
  private retire(w: OpWork): void {
    const work = this.work;
    if (work === undefined) return;
    const i = work.indexOf(w);
    if (i < 0) return;
    if (work.length === 1) this.work = undefined;
    else work.splice(i, 1);
  }
}
