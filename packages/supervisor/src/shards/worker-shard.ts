import { MessageChannel, Worker } from 'node:worker_threads';
import {
  MessageBatcher,
  rememberShardCommand,
  type ShardCommand,
  type ShardCommandMemo,
  type ShardInspection,
  type ShardMessage,
  type ShardRunnerOptions,
  serveToolPool,
  sharedToolPool,
  WORKER_ENTRY,
} from '@shoal/session-worker';
import { toWireError } from '@shoal/shared';
import type { Logger } from 'pino';
import { RuntimeError } from '../errors/runtime-error.js';
import { InspectionLine } from './inspection-line.js';
import type { ShardLink, ShardLinkEvents } from './shard-link.js';

/**
 * A shard on its own worker thread. Commands and replies travel over the worker's port as batches of
 * plain structured-cloneable messages. When the thread dies unexpectedly (uncaught error, OOM,
 * `process.exit`), the runtime is told (so it can fail the commands that were in flight) and a
 * replacement thread is started; commands sent meanwhile wait for it instead of going to a dead port.
 *
 * No batch is dropped silently in either direction: a command the port refuses to post fails its request
 * (INVALID_INPUT, the caller's value could not be sent); a batch from the shard that cannot be read here
 * (`messageerror`) is reported to the shard by its number, and the shard fails what it carried (SESSION);
 * a batch of ours the shard cannot read comes back the same way and fails here.
 */
export class WorkerShard implements ShardLink {
  private worker: Worker | undefined;
  private out: MessageBatcher<ShardCommand, ShardCommandMemo> | undefined;
  /** the running thread's inspection port (comlink), set with `out` */
  private line: InspectionLine | undefined;
  private waiting: ShardCommand[] = [];
  private terminating = false;
  private starting: Promise<void> | undefined;

  private constructor(
    readonly index: number,
    private readonly options: ShardRunnerOptions,
    private readonly events: ShardLinkEvents,
    private readonly logger: Logger,
  ) {}

  static async spawn(
    index: number,
    options: ShardRunnerOptions,
    events: ShardLinkEvents,
    logger: Logger,
  ): Promise<WorkerShard> {
    const shard = new WorkerShard(index, options, events, logger);
    await shard.start();
    return shard;
  }

  send(cmd: ShardCommand): void {
    if (this.out) this.out.send(cmd);
    else this.waiting.push(cmd);
  }

  /** The running thread's inspection; while a replacement starts, it once that is up. */
  async inspection(): Promise<ShardInspection> {
    if (!this.line && this.starting) await this.starting.catch(() => undefined);
    if (this.line) return this.line;
    if (this.terminating) throw new RuntimeError('SHUTTING_DOWN', 'the runtime is shutting down');
    throw new RuntimeError('SESSION', `shard ${this.index} has no running thread; it is being restarted`);
  }

  async terminate(): Promise<void> {
    this.terminating = true;
    await this.starting?.catch(() => undefined);
    const worker = this.worker;
    this.out?.flush();
    this.line?.close(new RuntimeError('SHUTTING_DOWN', 'the runtime is shutting down'));
    this.worker = undefined;
    this.out = undefined;
    this.line = undefined;
    await worker?.terminate();
  }

  /** Start a replacement; if that fails too, report it (failing what waits) and retry with backoff. */
  private respawn(attempt: number): void {
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
    // Every shard's grep/glob work runs on the process's one tool pool, here on the main thread; the
    // thread gets its end of the line with its workerData.
    const tools = new MessageChannel();
    serveToolPool(tools.port1, sharedToolPool());
    // The control plane (stats, heap, log level, faults) has a port of its own: it never waits behind,
    // nor adds to, the batched commands.
    const inspection = new MessageChannel();
    const worker = new Worker(WORKER_ENTRY, {
      name: `shoal-shard-${this.index}`,
      workerData: { toolPort: tools.port2, inspectionPort: inspection.port2 },
      transferList: [tools.port2, inspection.port2],
    });
    const line = new InspectionLine(
      inspection.port1,
      () => new RuntimeError('SESSION', `shard ${this.index}'s thread ended; the call may be retried`),
    );
    let initError: Error | undefined;
    const out = new MessageBatcher<ShardCommand, ShardCommandMemo>((batch) => worker.postMessage(batch), {
      remember: rememberShardCommand,
      undeliverable: (cmd, err) => {
        if (cmd.t === 'init') initError = err;
        else this.undeliverable(out, cmd, err);
      },
    });
    /** posts received from the thread, readable or not: they arrive in the order they were posted */
    let received = 0;
    let ready: (() => void) | undefined;
    worker.on('message', (batch: ShardMessage[]) => {
      received++;
      for (const msg of batch) this.onMessage(out, msg, ready);
    });
    worker.on('messageerror', (err: Error) => {
      received++;
      this.logger.error({ err, post: received }, 'a batch from the shard could not be read');
      // The shard fails what that post carried.
      out.send({ t: 'lost', seq: received });
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      const onExit = (code: number) =>
        reject(new Error(`shard ${this.index} exited with code ${code} during start`));
      ready = () => {
        ready = undefined;
        worker.off('error', onError);
        worker.off('exit', onExit);
        resolve();
      };
      worker.once('error', onError);
      worker.once('exit', onExit);
      out.send({ t: 'init', options: this.options });
      out.flush();
      if (initError) reject(initError);
    });
    if (this.terminating) {
      line.close(new RuntimeError('SHUTTING_DOWN', 'the runtime is shutting down'));
      await worker.terminate();
      return;
    }
    let lastError: Error | undefined;
    worker.on('error', (err) => {
      lastError = err;
    });
    worker.once('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.out = undefined;
      this.line = undefined;
      if (this.terminating) return;
      this.events.onExit(this.index, lastError ?? new Error(`worker thread exited with code ${code}`));
      this.respawn(0);
    });
    this.worker = worker;
    this.out = out;
    this.line = line;
    const waiting = this.waiting;
    this.waiting = [];
    for (const cmd of waiting) out.send(cmd);
  }

  private onMessage(
    out: MessageBatcher<ShardCommand, ShardCommandMemo>,
    msg: ShardMessage,
    ready: (() => void) | undefined,
  ): void {
    switch (msg.t) {
      case 'ready':
        ready?.();
        return;
      case 'lost':
        this.peerLost(out, msg.seq);
        return;
      case 'lostUnknown':
        this.events.onAllRequestsFailed(this.index, lostError('the reply to a command'));
        return;
      case 'chaosJunk':
        return;
      default:
        this.events.onMessage(this.index, msg);
    }
  }

  /** The shard could not read our post `seq`: fail the requests it carried, answer its store calls again. */
  private peerLost(out: MessageBatcher<ShardCommand, ShardCommandMemo>, seq: number): void {
    const memos = out.lost(seq);
    this.logger.error({ post: seq, known: memos !== undefined }, 'the shard could not read a batch');
    if (memos === undefined) {
      this.events.onAllRequestsFailed(this.index, lostError('a command'));
      out.send({ t: 'lostUnknown' });
      return;
    }
    for (const m of memos) {
      if (m.t === 'request') this.events.onRequestFailed(this.index, m.id, lostError('the command'));
      else out.send(storeReplyLost(m.id));
    }
  }

  /** `postMessage` refused a command (a value that cannot be cloned or is nested too deep). */
  private undeliverable(
    out: MessageBatcher<ShardCommand, ShardCommandMemo>,
    cmd: ShardCommand,
    err: Error,
  ): void {
    const memo = rememberShardCommand(cmd);
    if (memo?.t === 'request') {
      this.events.onRequestFailed(
        this.index,
        memo.id,
        RuntimeError.validation(`the ${cmd.t} command could not be sent to its shard: ${err.message}`, [
          { code: 'custom', path: [], message: err.message },
        ]),
      );
    } else if (memo?.t === 'storeReply') {
      this.logger.error({ err }, 'a store reply could not be posted; the store call fails instead');
      out.send(storeReplyLost(memo.id));
    } else this.logger.error({ err, command: cmd.t }, 'a command could not be posted; it is dropped');
  }
}

/** A command or reply the channel between the threads dropped: CHANNEL_CLOSED; it may be retried. */
function lostError(what: string): RuntimeError {
  return new RuntimeError(
    'CHANNEL_CLOSED',
    `${what} was lost between the threads (the other side could not read it); it may be retried`,
  );
}

function storeReplyLost(id: number): ShardCommand {
  return {
    t: 'storeReply',
    id,
    ok: false,
    error: toWireError(
      new RuntimeError(
        'CHANNEL_CLOSED',
        'the store reply was lost between the threads; the call may be retried',
      ),
    ),
  };
}
