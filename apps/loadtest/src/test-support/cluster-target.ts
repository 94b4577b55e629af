import type { StoredEvent } from '@shoal/shared';
import { HttpTarget } from '../http-target.js';
import { type EventStream, type LoadTarget, TargetCallError } from '../target.js';

/** A node the target may send to; `alive` turns false once the test has decided to kill it. */
export interface ClusterEndpoint {
  readonly nodeId: string;
  readonly url: string;
  readonly alive: boolean;
}

/**
 * The load test's HTTP target over several `shoal-host` cluster nodes, as a client behind a load balancer
 * sees them: every call goes to the next live node in turn (the cluster serves any session from any node),
 * and a killed node gets no new calls. What a dead node was doing is not retried elsewhere (a command may
 * have run), except what is safe: an event stream broken by the death of its node resumes on another node
 * from the last event delivered, as an SSE client reconnects with `Last-Event-ID`.
 *
 * It also records every acknowledged input by its load-test token, for the exactly-once check.
 */
export class ClusterTarget implements LoadTarget {
  readonly kind = 'http';
  readonly keepsCallOrder = false;
  readonly shards = null;
  /** session id → tokens of the inputs the cluster acknowledged */
  readonly acked = new Map<string, string[]>();
  /** session id → time of its last acknowledged input (`performance.now()`) */
  readonly lastAck = new Map<string, number>();
  resumedStreams = 0;
  private readonly targets: Array<{ node: ClusterEndpoint; http: HttpTarget }>;
  private next = 0;

  constructor(nodes: readonly ClusterEndpoint[], apiKey: string) {
    this.targets = nodes.map((node) => ({
      node,
      http: new HttpTarget(node.url, apiKey, { connections: 32 }),
    }));
  }

  private pick(): { node: ClusterEndpoint; http: HttpTarget } {
    for (let i = 0; i < this.targets.length; i++) {
      const t = this.targets[this.next++ % this.targets.length]!;
      if (t.node.alive) return t;
    }
    throw new TargetCallError('NETWORK', 'no live cluster node');
  }

  /**
   * Sends on the next live node. A call to a node the test killed that could not even connect (nothing
   * was sent) goes to the next one, as a load balancer does; any other failure is the caller's.
   */
  private async via<T>(call: (http: HttpTarget) => Promise<T>): Promise<T> {
    for (;;) {
      const t = this.pick();
      try {
        return await call(t.http);
      } catch (err) {
        if (t.node.alive || !neverSent(err)) throw err;
      }
    }
  }

  createSession(metadata: Record<string, string>): Promise<string> {
    return this.via((h) => h.createSession(metadata));
  }

  async subscribe(sessionId: string, afterSeq: number): Promise<EventStream> {
    let current = this.pick();
    let stream: EventStream;
    for (;;) {
      try {
        stream = await current.http.subscribe(sessionId, afterSeq);
        break;
      } catch (err) {
        // A read: safe to open again elsewhere when the node it went to is one the test killed.
        if (current.node.alive || !(err instanceof TargetCallError) || err.code !== 'NETWORK') throw err;
        current = this.pick();
      }
    }
    let last = afterSeq;
    let closed = false;
    const self = this;
    async function* following(): AsyncGenerator<StoredEvent> {
      for (;;) {
        try {
          for await (const e of stream) {
            last = e.seq;
            yield e;
          }
          return;
        } catch (err) {
          // Only a stream whose node the test killed is resumed elsewhere; anything else is the target's fault.
          if (closed) return;
          if (current.node.alive || !(err instanceof TargetCallError) || err.code !== 'NETWORK') throw err;
          current = self.pick();
          stream = await current.http.subscribe(sessionId, last);
          self.resumedStreams++;
          // Closed while the new stream was opening: nobody else will close it.
          if (closed) {
            await stream.close();
            return;
          }
        }
      }
    }
    const it = following();
    return {
      [Symbol.asyncIterator]: () => it,
      close: async () => {
        closed = true;
        await stream.close();
      },
    };
  }

  async submitInput(sessionId: string, text: string): Promise<{ opId: string; messageId: string }> {
    const ack = await this.via((h) => h.submitInput(sessionId, text));
    const token = /\[lt-[^\]]+\]$/.exec(text)?.[0];
    if (token !== undefined) {
      const list = this.acked.get(sessionId) ?? [];
      list.push(token);
      this.acked.set(sessionId, list);
    }
    this.lastAck.set(sessionId, performance.now());
    return ack;
  }

  approve(...args: Parameters<LoadTarget['approve']>): Promise<void> {
    return this.via((h) => h.approve(...args));
  }

  cancel(sessionId: string, opId?: string): Promise<void> {
    return this.via((h) => h.cancel(sessionId, opId));
  }

  executeBash(sessionId: string, command: string): Promise<string> {
    return this.via((h) => h.executeBash(sessionId, command));
  }

  compact(sessionId: string): Promise<string> {
    return this.via((h) => h.compact(sessionId));
  }

  switchAgent(sessionId: string, agentId: string): Promise<void> {
    return this.via((h) => h.switchAgent(sessionId, agentId));
  }

  editMessage(sessionId: string, messageId: string, text: string): Promise<string> {
    return this.via((h) => h.editMessage(sessionId, messageId, text));
  }

  dequeue(sessionId: string): Promise<void> {
    return this.via((h) => h.dequeue(sessionId));
  }

  readLog(sessionId: string): Promise<StoredEvent[]> {
    return this.via((h) => h.readLog(sessionId));
  }

  async memory(): Promise<null> {
    return null;
  }

  async close(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.http.close()));
  }
}

/** A connection that could not be made: the request never left this process. */
function neverSent(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT') return true;
  }
  return false;
}
