import { MessageChannel, Worker } from 'node:worker_threads';
import {
  type HostCommand,
  type HostMessage,
  MessageBatcher,
  type ShardHostOptions,
  serveToolPool,
  sharedToolPool,
  WORKER_ENTRY,
} from '@shoal/session-worker';
import type { ShardLink, ShardLinkEvents } from './shard-link.js';

/**
 * A shard on its own worker thread. Commands and replies travel over the worker's port as batches of
 * plain structured-cloneable messages. When the thread dies unexpectedly (uncaught error, OOM,
 * `process.exit`), the runtime is told (so it can fail the commands that were in flight) and a
 * replacement thread is started; commands sent meanwhile wait for it instead of going to a dead port.
 */
export class WorkerShard implements ShardLink {
  private worker: Worker | undefined;
  private out: MessageBatcher<HostCommand> | undefined;
  private waiting: HostCommand[] = [];
  private terminating = false;
  private starting: Promise<void> | undefined;
  /** how many times the thread was replaced */
  restarts = 0;

  private constructor(
    readonly index: number,
    private readonly options: ShardHostOptions,
    private readonly events: ShardLinkEvents,
  ) {}

  static async spawn(
    index: number,
    options: ShardHostOptions,
    events: ShardLinkEvents,
  ): Promise<WorkerShard> {
    const shard = new WorkerShard(index, options, events);
    await shard.start();
    return shard;
  }

  send(cmd: HostCommand): void {
    if (this.out) this.out.send(cmd);
    else this.waiting.push(cmd);
  }

  async terminate(): Promise<void> {
    this.terminating = true;
    await this.starting?.catch(() => undefined);
    const worker = this.worker;
    this.out?.flush();
    this.worker = undefined;
    this.out = undefined;
    await worker?.terminate();
  }

  /** Start a replacement; if that fails too, report it (failing what waits) and retry with backoff. */
  private respawn(attempt: number): void {
    this.restarts++;
    this.start().catch((err: Error) => {
      if (this.terminating) return;
      this.events.onExit(this.index, err);
      const delay = Math.min(5000, 100 * 2 ** attempt);
      setTimeout(() => this.respawn(attempt + 1), delay).unref();
    });
  }

  private start(): Promise<void> {
    this.starting = this.boot().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async boot(): Promise<void> {
    const worker = new Worker(WORKER_ENTRY, { name: `shoal-shard-${this.index}` });
    await new Promise<void>((resolve, reject) => {
      const onReady = (batch: HostMessage[]) => {
        if (!batch.some((m) => m.t === 'ready')) return;
        worker.off('message', onReady);
        worker.off('error', onError);
        worker.off('exit', onExit);
        resolve();
      };
      const onError = (err: Error) => reject(err);
      const onExit = (code: number) =>
        reject(new Error(`shard ${this.index} exited with code ${code} during start`));
      worker.on('message', onReady);
      worker.once('error', onError);
      worker.once('exit', onExit);
      // Every shard's grep/glob work runs on the process's one tool pool, here on the main thread.
      const tools = new MessageChannel();
      serveToolPool(tools.port1, sharedToolPool());
      worker.postMessage(
        [{ t: 'init', options: this.options, toolPort: tools.port2 }] satisfies HostCommand[],
        [tools.port2],
      );
    });
    if (this.terminating) {
      await worker.terminate();
      return;
    }
    let lastError: Error | undefined;
    worker.on('message', (batch: HostMessage[]) => {
      for (const msg of batch) this.events.onMessage(this.index, msg);
    });
    worker.on('error', (err) => {
      lastError = err;
    });
    worker.once('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.out = undefined;
      if (this.terminating) return;
      this.events.onExit(this.index, lastError ?? new Error(`worker thread exited with code ${code}`));
      this.respawn(0);
    });
    this.worker = worker;
    this.out = new MessageBatcher((batch) => worker.postMessage(batch));
    const waiting = this.waiting;
    this.waiting = [];
    for (const cmd of waiting) this.out.send(cmd);
  }
}
