import { type ChildProcess, spawn } from 'node:child_process';
import pg from 'pg';
import { hostCliPath } from './host-process.js';

export interface ClusterHostOptions {
  nodeId: string;
  postgresUrl: string;
  dataDir: string;
  apiKeys: string;
  logicalShards: number;
  leaseTtlMs: number;
}

/**
 * One `shoal-host` cluster node as a real child process (`--store postgres --node-id …`), started with
 * `--port 0` and a peer endpoint on a free loopback port. Its stdout (the listening line and the pino log)
 * is kept, so a test can wait for a log message.
 */
export class ClusterHost {
  url = '';
  private out = '';
  private err = '';
  private exited = false;
  /** false from the moment the test decides to kill it (before the signal is sent) */
  alive = true;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly nodeId: string,
    readonly child: ChildProcess,
  ) {
    this.exit = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exited = true;
        this.alive = false;
        resolve({ code, signal });
      }),
    );
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.out += d;
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.err += d;
    });
  }

  static async start(o: ClusterHostOptions): Promise<ClusterHost> {
    const args = [
      hostCliPath(),
      ...['--port', '0', '--data-dir', o.dataDir, '--shards', '1', '--log-level', 'warn'],
      ...['--store', 'postgres', '--node-id', o.nodeId, '--advertise-url', 'http://127.0.0.1:0'],
      ...['--logical-shards', String(o.logicalShards), '--lease-ttl-ms', String(o.leaseTtlMs)],
    ];
    const child = spawn(process.execPath, args, {
      // The connection string (it holds a password) goes in the environment, as the README advises.
      env: { ...process.env, SHOAL_API_KEYS: o.apiKeys, SHOAL_POSTGRES_URL: o.postgresUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const host = new ClusterHost(o.nodeId, child);
    host.url = await host.waitForOutput(/^shoal-host listening on (http:\/\/\S+)$/m, 120_000);
    return host;
  }

  stdout(): string {
    return this.out;
  }

  /** Resolves with the first capture group of `pattern` once stdout matches it (rejects if it exits first). */
  waitForOutput(pattern: RegExp, deadlineMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(this.out);
        if (m === null) return false;
        done();
        resolve(m[1] ?? m[0]);
        return true;
      };
      const onData = () => void check();
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.nodeId}: no ${pattern} within ${deadlineMs} ms; stderr: ${this.err}`));
      }, deadlineMs);
      const onExit = () => {
        done();
        reject(new Error(`${this.nodeId} exited before printing ${pattern}; stderr: ${this.err}`));
      };
      const done = () => {
        clearTimeout(timer);
        this.child.stdout!.off('data', onData);
        this.child.off('exit', onExit);
      };
      if (check()) return;
      this.child.stdout!.on('data', onData);
      this.child.once('exit', onExit);
    });
  }

  /** Counts the pino log lines of stdout whose `msg` is `msg`. */
  logCount(msg: string): number {
    let n = 0;
    for (const line of this.out.split('\n')) if (line.includes(`"msg":${JSON.stringify(msg)}`)) n++;
    return n;
  }

  /** What a failing test reports about this node: how it ended, its warnings and errors, its stderr. */
  diagnosis(): string {
    const warnings = this.out.split('\n').filter((l) => /"level":(40|50|60)/.test(l));
    const status = this.exited ? `exited (${this.child.exitCode ?? this.child.signalCode})` : 'running';
    return [
      `${this.nodeId}: ${status}, ${warnings.length} warning/error log lines; the last ones:`,
      ...warnings.slice(-8).map((l) => `  ${l.slice(0, 600)}`),
      `  stderr: ${this.err.slice(-2000)}`,
    ].join('\n');
  }

  /** The pino lines at error level or above (for a failing test's report). */
  errorLines(): string[] {
    return this.out.split('\n').filter((l) => /"level":(50|60)/.test(l));
  }

  signal(signal: NodeJS.Signals): void {
    if (signal === 'SIGKILL') this.alive = false;
    this.child.kill(signal);
  }

  /** Graceful stop (SIGTERM; SIGKILL after 20 s); resumes a stopped process first. */
  async stop(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await this.exit;
    clearTimeout(timer);
  }
}

export interface LeaseView {
  shard: number;
  owner: string | null;
  epoch: number;
  live: boolean;
}

/** Reads the cluster's lease table (docs/cluster.md) straight from PostgreSQL, as an operator would. */
export class LeaseTableReader {
  private readonly pool: pg.Pool;

  constructor(connectionString: string) {
    this.pool = new pg.Pool({ connectionString, max: 2 });
    // An idle connection the server ends (the test stopping PostgreSQL) is reported on the pool; without a
    // listener it would be an uncaught exception. The next query fails on its own if the server is gone.
    this.pool.on('error', (err) => {
      this.idleErrors.push(err);
    });
  }

  /** Errors of idle connections, kept for a failing test's diagnosis. */
  readonly idleErrors: Error[] = [];

  async leases(): Promise<LeaseView[]> {
    const { rows } = await this.pool.query<{
      shard: number;
      owner: string | null;
      epoch: string;
      live: boolean;
    }>('SELECT shard, owner, epoch, expires_at > now() AS live FROM shoal_cluster.leases ORDER BY shard');
    return rows.map((r) => ({ shard: r.shard, owner: r.owner, epoch: Number(r.epoch), live: r.live }));
  }

  /** True when all `logicalShards` shards are under a live lease of one of `nodeIds`. */
  async coveredBy(nodeIds: readonly string[], logicalShards: number): Promise<boolean> {
    const rows = await this.leases();
    const ids = new Set(nodeIds);
    return rows.length === logicalShards && rows.every((r) => r.live && r.owner !== null && ids.has(r.owner));
  }

  /** The shards `nodeId` holds a live lease on. */
  async heldBy(nodeId: string): Promise<number[]> {
    return (await this.leases()).filter((r) => r.live && r.owner === nodeId).map((r) => r.shard);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
