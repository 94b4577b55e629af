import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { expose } from 'comlink';
import { MessageBatcher } from './protocol/batcher.js';
import { rememberShardMessage, type ShardMessageMemo } from './protocol/delivery.js';
import type { ChaosHow } from './protocol/inspection.js';
import type { ShardCommand, ShardMessage } from './protocol/messages.js';
import { ShardInspector } from './shard/shard-inspector.js';
import { ShardRunner } from './shard/shard-runner.js';
import { PortToolRunner } from './tools/pool/tool-pool-port.js';

/**
 * The entry of a shard's worker thread: one `ShardRunner`, fed by the parent port. The runner is the same
 * class the runtime uses in-process with `shards: 0`; only the transport differs. Both directions carry
 * arrays of messages (see MessageBatcher). Neither side ever drops a batch silently: a post the port
 * refuses fails what it carried (`undeliverable`), and a batch the other side cannot read (`messageerror`)
 * is reported back by its number (`lost`) and what it carried fails there. The shard's inspection interface
 * (protocol/inspection.ts) is served with comlink on a port of its own, never on this one.
 */
if (!parentPort) throw new Error('worker-entry must run inside a worker thread');
const port = parentPort;
let runner: ShardRunner | undefined;
/** fault `unreadableReply`: the batch carrying the next reply also carries a value main cannot read */
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
const data = workerData as { toolPort?: unknown; inspectionPort?: unknown } | null;
/** The shard's line to the process's tool pool, transferred with the thread's `workerData` (WorkerShard). */
const toolPool = data?.toolPort instanceof MessagePort ? new PortToolRunner(data.toolPort) : undefined;
/** Where the main thread calls the shard's inspection interface, transferred the same way. */
const inspectionPort = data?.inspectionPort instanceof MessagePort ? data.inspectionPort : undefined;
/** posts received from the main thread, readable or not (they arrive in the order they were posted) */
let received = 0;

port.on('message', (batch: ShardCommand[]) => {
  received++;
  for (const cmd of batch) {
    if (cmd.t === 'init') {
      runner = new ShardRunner(post, cmd.options, undefined, undefined, [], toolPool);
      if (inspectionPort) {
        expose(new ShardInspector(runner, injectFault), inspectionPort);
        inspectionPort.unref(); // the command port keeps the thread alive; this one must not
      }
      post({ t: 'ready' });
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

/** Runs after the inspection call that ordered it has posted its answer (its microtasks run first). */
function injectFault(how: ChaosHow): void {
  if (how === 'unreadableReply') {
    poisonNextReply = true;
    return;
  }
  setImmediate(() => {
    if (how === 'exit') process.exit(70);
    throw new Error('chaos: simulated uncaught error in a shard');
  });
}

function deeplyNested(depth: number): unknown {
  let v: unknown = {};
  for (let i = 0; i < depth; i++) v = { v };
  return v;
}
