import type { QueuedAppend } from './append-rows.js';

/** A write that runs alone, in queue order (create, delete, snapshot). */
export interface QueuedTask {
  sessionId: string;
  run(): Promise<void>;
}

type Entry = { append: QueuedAppend } | { task: QueuedTask };

export interface WriteQueueStats {
  /** Append statements executed, and the appends they carried. */
  appendStatements: number;
  appends: number;
  tasks: number;
}

export interface WriteQueueOptions {
  /** Append statements in flight at once, on disjoint sessions (each on its own pooled connection). */
  maxInFlight: number;
  /** Start a statement as soon as this many appends wait (instead of at the end of the turn); see below. */
  splitAt: number;
}

/**
 * Group commit for the PostgreSQL store. Appends queued in one event-loop turn go out together (the flush is
 * scheduled with `setImmediate`): a run of appends becomes one batched statement. Order is kept per session:
 * a session already in the run, or in a statement still in flight, ends the run (its fence depends on the
 * earlier append), and the rest waits until that statement settled. A task (create, delete, snapshot) waits
 * for every statement in flight and runs alone. Up to `maxInFlight` statements on disjoint sessions run at
 * once, and a large wave (`splitAt` appends queued within one turn, typically when a wave of acknowledgements
 * makes every session append again) starts its first part at once: the server executes it while the rest of
 * the turn is validated and encoded.
 */
export class WriteQueue {
  private queue: Entry[] = [];
  private scheduled = false;
  private draining = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Sessions with an append in a statement in flight. */
  private readonly busy = new Set<string>();
  private queuedAppends = 0;
  readonly stats: WriteQueueStats = { appendStatements: 0, appends: 0, tasks: 0 };

  constructor(
    private readonly writeAppends: (batch: QueuedAppend[]) => Promise<void>,
    private readonly opts: WriteQueueOptions,
  ) {}

  append(entry: QueuedAppend): void {
    this.queue.push({ append: entry });
    this.queuedAppends++;
    if (
      this.queuedAppends >= this.opts.splitAt &&
      !this.draining &&
      this.inFlight.size < this.opts.maxInFlight
    ) {
      void this.drain();
    } else this.schedule();
  }

  task(entry: QueuedTask): void {
    this.queue.push({ task: entry });
    this.schedule();
  }

  /** Resolves once everything queued so far (and anything queued meanwhile) has been written or has failed. */
  async whenIdle(): Promise<void> {
    while (this.draining || this.scheduled || this.queue.length > 0 || this.inFlight.size > 0) {
      if (this.inFlight.size > 0) await Promise.race(this.inFlight);
      else await new Promise<void>((r) => setImmediate(r));
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  /** Sends what can go now, in order; one drain at a time. Never rejects (failures settle their callers). */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0]!;
        if ('task' in head) {
          while (this.inFlight.size > 0) await Promise.race(this.inFlight);
          this.queue.shift();
          this.stats.tasks++;
          await head.task.run(); // settles its own caller; its failure concerns nobody else
          continue;
        }
        if (this.busy.has(head.append.sessionId) || this.inFlight.size >= this.opts.maxInFlight) {
          await Promise.race(this.inFlight);
          continue;
        }
        this.send(this.takeRun());
      }
    } finally {
      this.draining = false;
    }
  }

  /** The longest prefix of the queue that is appends of distinct sessions none of which is in flight. */
  private takeRun(): QueuedAppend[] {
    const run: QueuedAppend[] = [];
    const seen = new Set<string>();
    let n = 0;
    for (; n < this.queue.length; n++) {
      const entry = this.queue[n]!;
      if (!('append' in entry)) break;
      const id = entry.append.sessionId;
      if (seen.has(id) || this.busy.has(id)) break;
      seen.add(id);
      run.push(entry.append);
    }
    this.queue.splice(0, n);
    this.queuedAppends -= n;
    return run;
  }

  private send(run: QueuedAppend[]): void {
    this.stats.appendStatements++;
    this.stats.appends += run.length;
    for (const a of run) this.busy.add(a.sessionId);
    const done = this.writeAppends(run)
      .catch((err: unknown) => {
        for (const a of run) a.reject(err);
      })
      .finally(() => {
        for (const a of run) this.busy.delete(a.sessionId);
        this.inFlight.delete(done);
      });
    this.inFlight.add(done);
  }
}
