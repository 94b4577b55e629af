import { type HostCommand, ShardHost, type ShardHostOptions, type ShardStore } from '@shoal/session-worker';
import type { Logger } from 'pino';
import type { ShardLink, ShardLinkEvents } from './shard-link.js';

/**
 * `shards: 0`: the shard host runs on the caller's thread and uses the runtime's store directly. Same
 * protocol as a worker, without the port: messages are passed by reference, not cloned.
 */
export class InProcessShard implements ShardLink {
  private readonly host: ShardHost;

  constructor(
    readonly index: number,
    options: ShardHostOptions,
    store: ShardStore,
    events: ShardLinkEvents,
    logger: Logger,
  ) {
    this.host = new ShardHost((msg) => events.onMessage(index, msg), options, store, logger);
  }

  send(cmd: HostCommand): void {
    this.host.handle(cmd);
  }

  async terminate(): Promise<void> {
    this.host.shutdown();
  }
}
