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

/**
 * Group commit for the PostgreSQL store. Writes queued in one event-loop turn are flushed together (the flush
 * is scheduled with `setImmediate`), one statement at a time, in queue order: a run of appends becomes one
 * batched statement; a session appearing twice in a run starts the next statement (the fence of its second
 * append depends on the first), and a task (create, delete, snapshot) runs alone between runs. While a flush
 * is executing, new writes gather for the next one. One statement in flight keeps every session's writes in
 * call order without locks of our own.
 */
export class WriteQueue {
  private queue: Entry[] = [];
  private flushing: Promise<void> | null = null;
  private scheduled = false;
  readonly stats: WriteQueueStats = { appendStatements: 0, appends: 0, tasks: 0 };

  constructor(private readonly writeAppends: (batch: QueuedAppend[]) => Promise<void>) {}

  append(entry: QueuedAppend): void {
    this.queue.push({ append: entry });
    this.schedule();
  }

  task(entry: QueuedTask): void {
    this.queue.push({ task: entry });
    this.schedule();
  }

  /** Resolves once everything queued so far (and anything queued meanwhile) has been written or has failed. */
  async whenIdle(): Promise<void> {
    while (this.flushing !== null || this.scheduled || this.queue.length > 0) {
      if (this.flushing === null) await new Promise<void>((r) => setImmediate(r));
      else await this.flushing;
    }
  }

  private schedule(): void {
    if (this.scheduled || this.flushing !== null) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flushing = this.drain().finally(() => {
        this.flushing = null;
        // Writes queued between the drain's last check and now would otherwise wait for the next one.
        if (this.queue.length > 0) this.schedule();
      });
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const entries = this.queue;
      this.queue = [];
      let run: QueuedAppend[] = [];
      const inRun = new Set<string>();
      for (const entry of entries) {
        if ('append' in entry && !inRun.has(entry.append.sessionId)) {
          run.push(entry.append);
          inRun.add(entry.append.sessionId);
          continue;
        }
        if (run.length > 0) {
          await this.flushRun(run);
          run = [];
          inRun.clear();
        }
        if ('append' in entry) {
          run.push(entry.append);
          inRun.add(entry.append.sessionId);
        } else {
          this.stats.tasks++;
          // A task settles its own caller's promise; its failure concerns nobody else in the queue.
          await entry.task.run();
        }
      }
      if (run.length > 0) await this.flushRun(run);
    }
  }

  private async flushRun(run: QueuedAppend[]): Promise<void> {
    this.stats.appendStatements++;
    this.stats.appends += run.length;
    try {
      await this.writeAppends(run);
    } catch (err) {
      for (const a of run) a.reject(err);
    }
  }
}
