import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { MessageBatcher } from './protocol/batcher.js';
import { rememberShardMessage, type ShardMessageMemo } from './protocol/delivery.js';
import type { ShardCommand, ShardMessage } from './protocol/messages.js';
import { ShardRunner } from './shard/shard-runner.js';
import { PortToolRunner } from './tools/pool/tool-pool-port.js';

/**
 * The entry of a shard's worker thread: one `ShardRunner`, fed by the parent port. The runner is the same
 * class the runtime uses in-process with `shards: 0`; only the transport differs. Both directions carry
 * arrays of messages (see MessageBatcher). Neither side ever drops a batch silently: a post the port
 * refuses fails what it carried (`undeliverable`), and a batch the other side cannot read (`messageerror`)
 * is reported back by its number (`lost`) and what it carried fails there.
 */
if (!parentPort) throw new Error('worker-entry must run inside a worker thread');
const port = parentPort;
let runner: ShardRunner | undefined;
/** chaos `unreadableReply`: the batch carrying the next reply also carries a value main cannot read */
let poisonNextReply = false;
const out = new MessageBatcher<ShardMessage, ShardMessageMemo>((batch) => port.postMessage(batch), {
  remember: rememberShardMessage,
  undeliverable: (msg, err) => {
    if (runner) runner.undeliverable(msg, err);
    else throw err; // before init nothing waits for anything but `ready`; the thread's error reports it
  },
});
const post = (msg: ShardMessage) => {
  out.send(msg);
  if (poisonNextReply && msg.t === 'reply') {
    poisonNextReply = false;
    out.send({ t: 'chaosJunk', value: deeplyNested(5_000) });
  }
};
/** The shard's line to the process's tool pool, transferred with the thread's `workerData` (WorkerShard). */
const toolPort: unknown = (workerData as { toolPort?: unknown } | null)?.toolPort;
const toolPool = toolPort instanceof MessagePort ? new PortToolRunner(toolPort) : undefined;
/** posts received from the main thread, readable or not (they arrive in the order they were posted) */
let received = 0;

port.on('message', (batch: ShardCommand[]) => {
  received++;
  for (const cmd of batch) {
    if (cmd.t === 'init') {
      runner = new ShardRunner(post, cmd.options, undefined, undefined, [], toolPool);
      post({ t: 'ready' });
      continue;
    }
    if (cmd.t === 'chaos') {
      if (cmd.how === 'exit') process.exit(70);
      if (cmd.how === 'unreadableReply') {
        poisonNextReply = true;
        continue;
      }
      setImmediate(() => {
        throw new Error('chaos: simulated uncaught error in a shard');
      });
      continue;
    }
    if (!runner) throw new Error(`shard received ${cmd.t} before init`);
    if (cmd.t === 'lost') runner.recoverLost(out.lost(cmd.seq));
    else runner.handle(cmd);
  }
});

port.on('messageerror', () => {
  received++;
  // What the main thread sent cannot be read here: tell it which post, so it fails what that carried.
  post({ t: 'lost', seq: received });
});

function deeplyNested(depth: number): unknown {
  let v: unknown = {};
  for (let i = 0; i < depth; i++) v = { v };
  return v;
}
