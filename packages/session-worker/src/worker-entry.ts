import { parentPort } from 'node:worker_threads';
import { ShardHost } from './host/shard-host.js';
import type { HostCommand, HostMessage } from './protocol/messages.js';

/**
 * The entry of a shard's worker thread: one `ShardHost`, fed by the parent port. The host is the same
 * class the runtime uses in-process with `shards: 0`; only the transport differs.
 */
if (!parentPort) throw new Error('worker-entry must run inside a worker thread');
const port = parentPort;
let host: ShardHost | undefined;
const post = (msg: HostMessage) => port.postMessage(msg);

port.on('message', (cmd: HostCommand) => {
  if (cmd.t === 'init') {
    host = new ShardHost(post, cmd.options);
    post({ t: 'ready' });
    return;
  }
  if (!host) throw new Error(`shard received ${cmd.t} before init`);
  host.handle(cmd);
});
