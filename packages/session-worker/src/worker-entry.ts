import { parentPort } from 'node:worker_threads';
import { ShardHost } from './host/shard-host.js';
import { MessageBatcher } from './protocol/batcher.js';
import type { HostCommand, HostMessage } from './protocol/messages.js';
import { PortToolRunner } from './tools/pool/tool-pool-port.js';

/**
 * The entry of a shard's worker thread: one `ShardHost`, fed by the parent port. The host is the same
 * class the runtime uses in-process with `shards: 0`; only the transport differs. Both directions carry
 * arrays of messages (see MessageBatcher).
 */
if (!parentPort) throw new Error('worker-entry must run inside a worker thread');
const port = parentPort;
let host: ShardHost | undefined;
const out = new MessageBatcher<HostMessage>((batch) => port.postMessage(batch));
const post = (msg: HostMessage) => out.send(msg);

port.on('message', (batch: HostCommand[]) => {
  for (const cmd of batch) {
    if (cmd.t === 'init') {
      const tools = cmd.toolPort ? new PortToolRunner(cmd.toolPort) : undefined;
      host = new ShardHost(post, cmd.options, undefined, undefined, [], tools);
      post({ t: 'ready' });
      continue;
    }
    if (cmd.t === 'chaos') {
      if (cmd.how === 'exit') process.exit(70);
      setImmediate(() => {
        throw new Error('chaos: simulated uncaught error in a shard');
      });
      continue;
    }
    if (!host) throw new Error(`shard received ${cmd.t} before init`);
    host.handle(cmd);
  }
});
