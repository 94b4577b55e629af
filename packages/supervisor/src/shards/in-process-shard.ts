import {
  type ShardCommand,
  type ShardInspection,
  ShardInspector,
  ShardRunner,
  type ShardRunnerOptions,
  type ShardStore,
} from '@shoal/session-worker';
import type { Logger } from 'pino';
import type { ShardLink, ShardLinkEvents } from './shard-link.js';

/**
 * `shards: 0`: the shard runner runs on the caller's thread and uses the runtime's store directly. Same
 * protocol as a worker, without the port: messages are passed by reference, not cloned.
 */
export class InProcessShard implements ShardLink {
  private readonly runner: ShardRunner;
  /** no fault injection: the shard shares the caller's thread */
  private readonly inspector: ShardInspector;

  constructor(
    readonly index: number,
    options: ShardRunnerOptions,
    store: ShardStore,
    events: ShardLinkEvents,
    logger: Logger,
  ) {
    this.runner = new ShardRunner((msg) => events.onMessage(index, msg), options, store, logger);
    this.inspector = new ShardInspector(this.runner);
  }

  async inspection(): Promise<ShardInspection> {
    return this.inspector;
  }

  send(cmd: ShardCommand): void {
    this.runner.handle(cmd);
  }

  async terminate(): Promise<void> {
    this.runner.shutdown();
  }
}
