import type {
  ShardCommand,
  ShardInspection,
  ShardMessage,
  ShardRunnerOptions,
  ShardStore,
} from '@shoal/session-worker';
import { fromWireError, PendingReplies, shardOf } from '@shoal/shared';
import type { Logger } from 'pino';
import { RuntimeError } from '../errors/runtime-error.js';
import type { ResolvedRuntimeOptions } from '../options/runtime-options.js';
import { InProcessShard } from './in-process-shard.js';
import type { ShardLink, ShardLinkEvents } from './shard-link.js';
import { WorkerShard } from './worker-shard.js';

/** A command that expects a reply; its `id` (written as 0) is assigned by `ShardPool.request`. */
export type ShardRequest = Extract<ShardCommand, { id: number }> & {
  t: Exclude<ShardCommand['t'], 'storeReply'>;
};

/** What the pool hands on from its shards: everything but the replies, which it settles itself. */
export interface ShardPoolEvents {
  onStoreRequest(link: ShardLink, msg: Extract<ShardMessage, { t: 'store' }>): void;
  onDeltas(msg: Extract<ShardMessage, { t: 'deltas' }>): void;
  onActivity(msg: Extract<ShardMessage, { t: 'activity' }>): void;
  /** the shard's thread died (its link is starting a replacement) */
  onShardExit(index: number, error: Error): void;
}

/**
 * The runtime's shards and the routing onto them: each session id hashes onto one shard (`shardOf`);
 * requests get an id, and the shard's reply settles the promise waiting for it.
 */
export class ShardPool {
  private readonly links: ShardLink[] = [];
  /** Requests in flight, per shard. */
  private readonly pending: PendingReplies[] = [];
  private nextId = 1;
  private closing = false;

  constructor(
    private readonly options: ResolvedRuntimeOptions,
    private readonly dataDir: string,
    private readonly store: ShardStore,
    private readonly events: ShardPoolEvents,
    private readonly logger: Logger,
  ) {}

  /** Starts the shards: one in-process with `shards: 0`, else one worker thread per shard. */
  async start(): Promise<void> {
    const count = Math.max(1, this.options.shards);
    const events: ShardLinkEvents = {
      onMessage: (index, msg) => this.onShardMessage(index, msg),
      onExit: (index, error) => this.events.onShardExit(index, error),
      onRequestFailed: (index, id, error) => this.pending[index]?.reject(id, error),
      onAllRequestsFailed: (index, error) => this.pending[index]?.rejectAll(() => error),
    };
    for (let i = 0; i < count; i++) {
      this.pending.push(new PendingReplies());
      const runnerOptions = this.runnerOptions(i);
      if (this.options.shards === 0) {
        this.links.push(
          new InProcessShard(i, runnerOptions, this.store, events, this.logger.child({ shard: i })),
        );
      } else {
        this.links.push(await WorkerShard.spawn(i, runnerOptions, events, this.logger.child({ shard: i })));
      }
    }
  }

  /** Shard `index`'s control plane on its current thread (see ShardLink.inspection). */
  inspection(index: number): Promise<ShardInspection> {
    const link = this.links[index];
    if (!link) return Promise.reject(new RuntimeError('INVALID_INPUT', `there is no shard ${index}`));
    return link.inspection();
  }

  /** The number of shards commands are hashed onto. */
  get size(): number {
    return this.links.length;
  }

  /** True once `beginClose` was called: requests are refused and one-way commands dropped. */
  get isClosing(): boolean {
    return this.closing;
  }

  shardFor(sessionId: string): number {
    return this.links.length === 1 ? 0 : shardOf(sessionId, this.links.length);
  }

  /** Sends a one-way command to the shard of `sessionId` (dropped once closing). */
  sendFor(sessionId: string, cmd: ShardCommand): void {
    if (this.closing) return;
    this.links[this.shardFor(sessionId)]?.send(cmd);
  }

  /** Sends a one-way command to shard `index`, if there is one. */
  sendTo(index: number, cmd: ShardCommand): void {
    this.links[index]?.send(cmd);
  }

  request(index: number, cmd: ShardRequest, evenIfClosing = false): Promise<unknown> {
    if (this.closing && !evenIfClosing) {
      return Promise.reject(new RuntimeError('SHUTTING_DOWN', 'the runtime is shutting down'));
    }
    const id = this.nextId++;
    const pending = this.pending[index]!;
    if (pending.size >= this.options.limits.maxPendingPerShard) {
      return Promise.reject(
        new RuntimeError('OVERLOADED', `shard ${index} has ${pending.size} requests in flight`),
      );
    }
    const promise = pending.wait(id);
    cmd.id = id;
    try {
      this.links[index]!.send(cmd);
    } catch (err) {
      pending.reject(id, err as Error);
    }
    return promise;
  }

  /** Fails every request in flight on shard `index` with the error `makeError` builds. */
  failAll(index: number, makeError: () => Error): void {
    this.pending[index]!.rejectAll(makeError);
  }

  /** From now on requests are refused with `SHUTTING_DOWN` (except the shutdown itself). */
  beginClose(): void {
    this.closing = true;
  }

  /** Shuts every shard down, stops its thread, and fails whatever was still in flight. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled(this.links.map((s) => this.request(s.index, { t: 'shutdown', id: 0 }, true)));
    await Promise.allSettled(this.links.map((s) => s.terminate()));
    for (const pending of this.pending) {
      pending.rejectAll(() => new RuntimeError('SHUTTING_DOWN', 'the runtime shut down'));
    }
  }

  private onShardMessage(index: number, msg: ShardMessage): void {
    switch (msg.t) {
      case 'reply': {
        const pending = this.pending[index]!;
        if (msg.ok) pending.resolve(msg.id, msg.value);
        else pending.reject(msg.id, fromWireError(msg.error));
        return;
      }
      case 'store':
        this.events.onStoreRequest(this.links[index]!, msg);
        return;
      case 'deltas':
        this.events.onDeltas(msg);
        return;
      case 'activity':
        this.events.onActivity(msg);
        return;
      case 'ready':
        return;
    }
  }

  private runnerOptions(index: number): ShardRunnerOptions {
    const o = this.options;
    return {
      shardIndex: index,
      dataDir: this.dataDir,
      providers: o.providers,
      logLevel: o.logLevel,
      idleTimeoutMs: o.idleTimeoutMs,
      maxPendingPerSession: o.limits.maxPendingPerSession,
      maxPendingPerShard: o.limits.maxPendingPerShard,
      snapshotEveryEvents: o.snapshotEveryEvents,
      maxMessageBytes: o.limits.maxMessageBytes,
      maxToolOutputBytes: o.limits.maxToolOutputBytes,
      maxEventBytes: o.limits.maxEventBytes,
      maxQueuedInputs: o.limits.maxQueuedInputs,
      maxQueuedBytes: o.limits.maxQueuedBytes,
    };
  }
}
