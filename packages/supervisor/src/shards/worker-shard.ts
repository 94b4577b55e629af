import { Worker } from 'node:worker_threads';
import {
  type HostCommand,
  type HostMessage,
  MessageBatcher,
  type ShardHostOptions,
  WORKER_ENTRY,
} from '@shoal/session-worker';
import type { ShardLink, ShardLinkEvents } from './shard-link.js';

/**
 * A shard on its own worker thread. Commands and replies travel over the worker's port as plain
 * structured-cloneable messages; an unexpected exit is reported so the runtime can replace the worker.
 */
export class WorkerShard implements ShardLink {
  private terminating = false;
  private lastError: Error | undefined;
  private readonly out: MessageBatcher<HostCommand>;

  private constructor(
    readonly index: number,
    private readonly worker: Worker,
    events: ShardLinkEvents,
  ) {
    this.out = new MessageBatcher((batch) => worker.postMessage(batch));
    worker.on('message', (batch: HostMessage[]) => {
      for (const msg of batch) events.onMessage(index, msg);
    });
    worker.on('error', (err) => {
      this.lastError = err;
    });
    worker.on('exit', (code) => {
      if (this.terminating) return;
      events.onExit(index, this.lastError ?? new Error(`worker thread exited with code ${code}`));
    });
  }

  static spawn(index: number, options: ShardHostOptions, events: ShardLinkEvents): Promise<WorkerShard> {
    const worker = new Worker(WORKER_ENTRY, { name: `shoal-shard-${index}` });
    return new Promise((resolve, reject) => {
      const onReady = (batch: HostMessage[]) => {
        if (!batch.some((m) => m.t === 'ready')) return;
        worker.off('message', onReady);
        worker.off('error', onError);
        resolve(new WorkerShard(index, worker, events));
      };
      const onError = (err: Error) => {
        worker.off('message', onReady);
        reject(err);
      };
      worker.on('message', onReady);
      worker.once('error', onError);
      worker.postMessage([{ t: 'init', options }] satisfies HostCommand[]);
    });
  }

  send(cmd: HostCommand): void {
    this.out.send(cmd);
  }

  /** Test and chaos hook: the thread id, e.g. to verify a replacement. */
  get threadId(): number {
    return this.worker.threadId;
  }

  async terminate(): Promise<void> {
    this.terminating = true;
    await this.worker.terminate();
  }
}
