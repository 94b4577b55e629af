import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { placeShards, shardsPlacedOn } from '../cluster/placement.js';
import { waitFor } from './wait-for.js';

const ENTRY = fileURLToPath(new URL('./cluster-node-process.mjs', import.meta.url));

export interface NodeCallError {
  code?: string;
  kind?: string;
  message: string;
}

/** A cluster node running in its own process (cluster-node-process.mjs), driven over IPC. */
export class NodeProcess {
  readonly events = new Map<number, number[]>();
  readonly subEnds = new Map<number, NodeCallError | null>();
  url = '';
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  private exited = false;
  readonly exit: Promise<void>;

  private constructor(
    readonly nodeId: string,
    readonly child: ChildProcess,
  ) {
    this.exit = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exit.then(() => {
      this.exited = true;
      for (const p of this.pending.values()) p.reject(new NodeGone(nodeId));
      this.pending.clear();
    });
    child.on('message', (raw) => {
      const m = raw as {
        t: string;
        id: number;
        ok: boolean;
        value: unknown;
        error: NodeCallError;
        subId: number;
        seq: number;
      };
      if (m.t === 'reply') {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.ok) p?.resolve(m.value);
        else p?.reject(Object.assign(new Error(m.error.message), m.error));
      } else if (m.t === 'event') {
        const list = this.events.get(m.subId) ?? [];
        list.push(m.seq);
        this.events.set(m.subId, list);
      } else if (m.t === 'subEnd') {
        this.subEnds.set(m.subId, m.error ?? null);
      }
    });
  }

  static async start(cfg: {
    nodeId: string;
    connectionString: string;
    logicalShards: number;
    leaseTtlMs: number;
    dataDir: string;
    logLevel?: string;
  }): Promise<NodeProcess> {
    const child = fork(ENTRY, [], {
      env: { ...process.env, SHOAL_TEST_NODE: JSON.stringify(cfg) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const node = new NodeProcess(cfg.nodeId, child);
    const ready = await new Promise<{ url: string }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { url: string }));
      child.once('exit', (code) =>
        reject(new Error(`node ${cfg.nodeId} exited (${code}) before it was ready`)),
      );
    });
    node.url = ready.url;
    return node;
  }

  get alive(): boolean {
    return !this.exited;
  }

  send<T>(msg: Record<string, unknown>): Promise<T> {
    if (this.exited) return Promise.reject(new NodeGone(this.nodeId));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      // A node the test has just killed refuses the write (EPIPE): the call fails like one to a gone node.
      this.child.send({ ...msg, id }, (err) => {
        if (!err) return;
        this.pending.delete(id);
        reject(new NodeGone(this.nodeId, { cause: err }));
      });
    });
  }

  call<T>(method: string, ...args: unknown[]): Promise<T> {
    return this.send<T>({ t: 'call', method, args });
  }

  heldShards(): Promise<number[]> {
    return this.send({ t: 'heldShards' });
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGCONT');
    await this.send({ t: 'shutdown' }).catch(() => undefined);
    await Promise.race([this.exit, new Promise((r) => setTimeout(r, 20_000))]);
    if (!this.exited) this.child.kill('SIGKILL');
    await this.exit;
  }
}

/** A call to a node whose process is gone (the caller's own node died: as a client's connection would). */
export class NodeGone extends Error {
  readonly code = 'NODE_GONE';
  constructor(nodeId: string, options?: { cause?: unknown }) {
    super(`node ${nodeId} is gone`, options);
  }
}

/** Waits until the live nodes hold exactly the shards the placement gives each of them. */
export async function waitForFullCoverage(nodes: NodeProcess[], logicalShards: number): Promise<void> {
  const live = nodes.filter((n) => n.alive);
  const placement = placeShards(
    logicalShards,
    live.map((n) => n.nodeId),
  );
  await waitFor(
    'every shard held by the live node the placement gives it',
    async () => {
      const held = await Promise.all(live.map((n) => n.heldShards()));
      return live.every((n, i) => sameList(held[i]!, shardsPlacedOn(placement, n.nodeId)));
    },
    120_000,
  );
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
