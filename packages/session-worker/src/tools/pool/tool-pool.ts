import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { ToolFailure } from '../tool-failure.js';
import { type ToolTask, ToolTaskOutcome, type ToolTaskOutput, type ToolTaskRunner } from './tool-task.js';

/** Defaults of the tool pool (see ToolPoolOptions). */
export const TOOL_POOL_DEFAULTS = {
  maxThreads: Math.max(2, Math.ceil(availableParallelism() / 2)),
  maxQueue: 256,
  taskTimeoutMs: 60_000,
  maxHeapMb: 512,
  idleTimeoutMs: 30_000,
} as const;

export interface ToolPoolOptions {
  /** threads running tasks at once */
  maxThreads?: number;
  /** tasks waiting for a thread; one more is refused with TOOL_POOL_BUSY */
  maxQueue?: number;
  /** time budget of one task, queueing included; when spent the task is stopped and fails TIMEOUT */
  taskTimeoutMs?: number;
  /** old-generation heap of each thread: a task that needs more kills its thread, not the process */
  maxHeapMb?: number;
  /** an idle thread exits after this long */
  idleTimeoutMs?: number;
  /** the task module (tests); default: tool-task-worker.js */
  filename?: string;
}

/** The compiled task module; tests run this package's sources, where only dist holds the `.js`. */
function taskEntry(): string {
  const here = fileURLToPath(new URL('./tool-task-worker.js', import.meta.url));
  return existsSync(here) ? here : here.replace(`${sep}src${sep}`, `${sep}dist${sep}`);
}

const cancelled = (task: ToolTask) => new ToolFailure('CANCELLED', `${task.kind} was cancelled`);

/**
 * A piscina pool for the CPU-heavy, stateless work of tools (the walk and the matching of `grep` and
 * `glob`): a pathological input costs a pool thread, never a shard's thread, so every other session keeps
 * running. Backpressure: at most `maxThreads + maxQueue` tasks are admitted, the next fails TOOL_POOL_BUSY.
 * Each task has a time budget (TIMEOUT), and an aborted signal (cancel) stops the task at once: a queued
 * task is dropped, a running one has its thread terminated (piscina starts a fresh one).
 */
export class ToolPool implements ToolTaskRunner {
  private readonly piscina: Piscina;
  private readonly capacity: number;
  private readonly taskTimeoutMs: number;
  private admitted = 0;
  private terminated = 0;

  constructor(options: ToolPoolOptions = {}) {
    const maxThreads = options.maxThreads ?? TOOL_POOL_DEFAULTS.maxThreads;
    const maxQueue = options.maxQueue ?? TOOL_POOL_DEFAULTS.maxQueue;
    this.capacity = maxThreads + maxQueue;
    this.taskTimeoutMs = options.taskTimeoutMs ?? TOOL_POOL_DEFAULTS.taskTimeoutMs;
    this.piscina = new Piscina({
      filename: options.filename ?? taskEntry(),
      minThreads: 0,
      maxThreads,
      maxQueue,
      idleTimeout: options.idleTimeoutMs ?? TOOL_POOL_DEFAULTS.idleTimeoutMs,
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? TOOL_POOL_DEFAULTS.maxHeapMb },
      atomics: 'disabled', // tasks are async (file I/O): a thread must not block between them
      env: {}, // tasks read files; they need none of the runtime's environment
    });
  }

  /**
   * Tasks admitted and not yet settled, tasks finished, threads, tasks queued, tasks stopped by cancel or
   * timeout (tests, metrics).
   */
  get stats(): { admitted: number; completed: number; threads: number; queued: number; terminated: number } {
    return {
      admitted: this.admitted,
      completed: this.piscina.completed,
      threads: this.piscina.threads.length,
      queued: this.piscina.queueSize,
      terminated: this.terminated,
    };
  }

  /** The pool's live threads (tests: a cancelled task's thread is seen to exit). */
  get threads(): readonly Worker[] {
    return this.piscina.threads;
  }

  /** Runs `task` within `budgetMs` (default: the pool's `taskTimeoutMs`); see ToolTaskRunner. */
  async run<T extends ToolTask>(
    task: T,
    signal: AbortSignal,
    budgetMs: number = this.taskTimeoutMs,
  ): Promise<ToolTaskOutput<T>> {
    if (signal.aborted) throw cancelled(task);
    if (this.admitted >= this.capacity) {
      throw new ToolFailure(
        'TOOL_POOL_BUSY',
        `${task.kind}: the tool pool is busy (${this.admitted} tasks running or queued); try again later`,
      );
    }
    this.admitted++;
    const budget = new AbortController();
    const timer = setTimeout(() => budget.abort(), budgetMs);
    let raw: unknown;
    try {
      raw = await this.piscina.run(task, { signal: AbortSignal.any([signal, budget.signal]) });
    } catch (e) {
      if (signal.aborted || budget.signal.aborted) this.terminated++;
      if (signal.aborted) throw cancelled(task);
      if (budget.signal.aborted) {
        throw new ToolFailure('TIMEOUT', `${task.kind} timed out after ${budgetMs} ms`);
      }
      const message = e instanceof Error ? e.message : String(e);
      if (/queue is at limit/i.test(message)) {
        throw new ToolFailure('TOOL_POOL_BUSY', `${task.kind}: the tool pool is busy; try again later`);
      }
      throw new ToolFailure('IO', `${task.kind} failed: ${message}`, { cause: e });
    } finally {
      clearTimeout(timer);
      this.admitted--;
    }
    const outcome = ToolTaskOutcome.parse(raw);
    if (!outcome.ok) throw new ToolFailure(outcome.code, outcome.message);
    if (outcome.output.kind !== task.kind)
      throw new Error(`pool answered a ${task.kind} task with ${outcome.output.kind}`);
    return outcome.output as ToolTaskOutput<T>;
  }

  /** Stops every thread; tasks in flight fail. */
  close(): Promise<void> {
    return this.piscina.destroy();
  }
}
