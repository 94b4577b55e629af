import type { MessagePort } from 'node:worker_threads';
import { z } from 'zod';
import { ToolFailure } from '../tool-failure.js';
import { ToolTask, ToolTaskOutcome, type ToolTaskOutput, type ToolTaskRunner } from './tool-task.js';

/*
 * How a shard's worker thread reaches the process's one tool pool, which lives on the main thread: a
 * MessagePort per shard. The shard side (`PortToolRunner`) sends `run` and `cancel`; the main side
 * (`serveToolPool`) runs tasks on the pool and answers with their outcome. Both sides validate what they
 * receive.
 */

const RequestId = z.number().int().positive();
const PortRequest = z.discriminatedUnion('t', [
  z.object({ t: z.literal('run'), id: RequestId, task: ToolTask }),
  z.object({ t: z.literal('cancel'), id: RequestId }),
]);
type PortRequest = z.infer<typeof PortRequest>;
const PortReply = z.object({ t: z.literal('done'), id: RequestId, outcome: ToolTaskOutcome });
type PortReply = z.infer<typeof PortReply>;

const failureOutcome = (e: unknown): ToolTaskOutcome =>
  e instanceof ToolFailure
    ? { ok: false, code: e.code, message: e.message }
    : { ok: false, code: 'IO', message: e instanceof Error ? e.message : String(e) };

/**
 * Main-thread side: runs the tasks arriving on `port` on `runner` (the shared pool). When the port closes
 * (the shard's thread ended or crashed), the tasks it had in flight are cancelled.
 */
export function serveToolPool(port: MessagePort, runner: ToolTaskRunner): void {
  const inFlight = new Map<number, AbortController>();
  const post = (msg: PortReply): void => {
    try {
      port.postMessage(msg);
    } catch {
      // the shard is gone: nobody waits for this answer
    }
  };
  port.on('message', (raw: unknown) => {
    const parsed = PortRequest.safeParse(raw);
    if (!parsed.success) {
      const id = (raw as { id?: unknown } | null)?.id;
      if (typeof id === 'number' && RequestId.safeParse(id).success) {
        post({ t: 'done', id, outcome: { ok: false, code: 'IO', message: 'malformed tool task' } });
      }
      return;
    }
    const req: PortRequest = parsed.data;
    if (req.t === 'cancel') {
      inFlight.get(req.id)?.abort();
      return;
    }
    const ac = new AbortController();
    inFlight.set(req.id, ac);
    runner
      .run(req.task, ac.signal)
      .then(
        (output) => post({ t: 'done', id: req.id, outcome: { ok: true, output } }),
        (e: unknown) => post({ t: 'done', id: req.id, outcome: failureOutcome(e) }),
      )
      .finally(() => inFlight.delete(req.id));
  });
  port.on('close', () => {
    for (const ac of inFlight.values()) ac.abort();
    inFlight.clear();
  });
  port.unref(); // serving a shard never keeps the process alive by itself
}

interface Pending {
  kind: ToolTask['kind'];
  resolve(output: ToolTaskOutput): void;
  reject(e: ToolFailure): void;
}

/**
 * Shard side: a ToolTaskRunner that sends tasks to the main thread's pool. Cancel answers at once (the
 * task is stopped there); a closed port fails what was in flight.
 */
export class PortToolRunner implements ToolTaskRunner {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly port: MessagePort) {
    port.on('message', (raw: unknown) => this.onReply(raw));
    port.on('close', () => {
      this.closed = true;
      for (const p of this.pending.values())
        p.reject(new ToolFailure('IO', `${p.kind}: the tool pool is gone`));
      this.pending.clear();
    });
    port.unref(); // an idle line to the pool never keeps the thread alive; one with work in flight does
  }

  run<T extends ToolTask>(task: T, signal: AbortSignal): Promise<ToolTaskOutput<T>> {
    if (signal.aborted) return Promise.reject(new ToolFailure('CANCELLED', `${task.kind} was cancelled`));
    if (this.closed) return Promise.reject(new ToolFailure('IO', `${task.kind}: the tool pool is gone`));
    const id = this.nextId++;
    return new Promise<ToolTaskOutput<T>>((resolve, reject) => {
      const onAbort = (): void => {
        if (!this.settle(id)) return;
        this.send({ t: 'cancel', id });
        reject(new ToolFailure('CANCELLED', `${task.kind} was cancelled`));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      if (this.pending.size === 0) this.port.ref();
      this.pending.set(id, {
        kind: task.kind,
        resolve: (output) => {
          signal.removeEventListener('abort', onAbort);
          if (output.kind === task.kind) resolve(output as ToolTaskOutput<T>);
          else reject(new ToolFailure('IO', `${task.kind}: the tool pool answered with ${output.kind}`));
        },
        reject: (e) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
      this.send({ t: 'run', id, task });
    });
  }

  /** Removes a request from those in flight; the last one lets the port stop holding the thread. */
  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    if (this.pending.size === 0) this.port.unref();
    return p;
  }

  private send(msg: PortRequest): void {
    this.port.postMessage(msg);
  }

  private onReply(raw: unknown): void {
    const parsed = PortReply.safeParse(raw);
    if (!parsed.success) return; // not an answer to anything we asked; its run fails when the port closes
    const p = this.settle(parsed.data.id);
    if (!p) return; // cancelled meanwhile
    const { outcome } = parsed.data;
    if (outcome.ok) p.resolve(outcome.output);
    else p.reject(new ToolFailure(outcome.code, outcome.message));
  }
}
