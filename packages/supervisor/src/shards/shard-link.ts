import type { ShardCommand, ShardInspection, ShardMessage } from '@shoal/session-worker';

/** The main thread's end of one shard: where commands go; messages come back through `onMessage`. */
export interface ShardLink {
  readonly index: number;
  send(cmd: ShardCommand): void;
  /** The shard's control plane on its current thread; rejects if it has none (stopped, failing to start). */
  inspection(): Promise<ShardInspection>;
  /** Stops the shard; resolves when its thread (if any) has exited. */
  terminate(): Promise<void>;
}

export interface ShardLinkEvents {
  onMessage(index: number, msg: ShardMessage): void;
  /** the shard's thread died; `error` says why */
  onExit(index: number, error: Error): void;
  /** request `id` can get no reply (its command or its reply was lost between the threads): fail it */
  onRequestFailed(index: number, id: number, error: Error): void;
  /** it is no longer known which requests a lost message concerned: fail every one in flight */
  onAllRequestsFailed(index: number, error: Error): void;
}
