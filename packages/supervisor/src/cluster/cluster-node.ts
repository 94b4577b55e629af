import { isIP } from 'node:net';
import type pg from 'pg';
import type { Logger } from 'pino';
import { RuntimeError } from '../errors/runtime-error.js';
import type { DeltaSubscription } from '../events/delta-subscription.js';
import type { EventSubscription } from '../events/event-subscription.js';
import { ClusterDeltaSubscription } from './cluster-delta-subscription.js';
import { isClusterError } from './cluster-error.js';
import { ClusterEventSubscription } from './cluster-event-subscription.js';
import { CLUSTER_SECRET_ENV, type ResolvedClusterOptions } from './cluster-options.js';
import { ClusterRouter } from './cluster-router.js';
import { ensureLogicalShards, migrateClusterSchema } from './cluster-schema.js';
import { type LeaseAppendFence, leaseFence } from './lease-fence.js';
import { LeaseManager } from './lease-manager.js';
import { LeaseTable } from './lease-table.js';
import type { LocalRuntime } from './local-runtime.js';
import { PeerClient } from './peer-client.js';
import type { PeerCommand } from './peer-protocol.js';
import { PeerServer } from './peer-server.js';
import { openClusterPool } from './pg-pool.js';
import { ShardWatchers } from './shard-watchers.js';

/**
 * One node of a Shoal cluster: the lease manager, the epoch fence handed to the store, the router, the
 * peer endpoint and client, and the subscriptions that follow sessions across owners. The runtime opens
 * it before its store (`open`, which migrates the cluster tables), then `join`s once its shards run.
 */
export class ClusterNode {
  private router: ClusterRouter | undefined;
  private server: PeerServer | undefined;
  private local: LocalRuntime | undefined;
  private readonly watchers = new ShardWatchers();
  private readonly subscriptions = new Set<{ close(): Promise<void> }>();
  private readonly client: PeerClient;

  private constructor(
    private readonly options: ResolvedClusterOptions,
    private readonly pool: pg.Pool,
    private readonly leases: LeaseManager,
    private readonly secret: string | undefined,
    private readonly bind: { host: string; port: number },
    private readonly logger: Logger,
  ) {
    this.client = new PeerClient(secret, Math.max(30_000, 3 * options.leaseTtlMs));
  }

  static async open(
    options: ResolvedClusterOptions,
    connectionString: string,
    logger: Logger,
  ): Promise<ClusterNode> {
    const secret = process.env[CLUSTER_SECRET_ENV] || undefined;
    const url = new URL(options.advertiseUrl);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (secret === undefined && !isLoopback(host)) {
      throw RuntimeError.validation(
        `cluster.advertiseUrl ${options.advertiseUrl} is not a loopback address: set ${CLUSTER_SECRET_ENV} so peers authenticate`,
        [{ path: ['cluster', 'advertiseUrl'], message: 'not loopback and no cluster secret' }],
      );
    }
    const log = logger.child({ nodeId: options.nodeId });
    const pool = openClusterPool(connectionString, log);
    try {
      await migrateClusterSchema(pool);
      await ensureLogicalShards(pool, options.logicalShards);
    } catch (err) {
      await pool.end();
      if (isClusterError(err, 'SHARD_COUNT_MISMATCH'))
        throw RuntimeError.validation(err.message, [
          { path: ['cluster', 'logicalShards'], message: err.message },
        ]);
      throw new RuntimeError(
        'EVENT_STORE',
        `cannot prepare the cluster tables: ${(err as Error).message}`,
        undefined,
        undefined,
        { cause: err },
      );
    }
    const port = url.port === '' ? 80 : Number(url.port);
    let node: ClusterNode | undefined;
    const leases = new LeaseManager(
      new LeaseTable(pool),
      {
        nodeId: options.nodeId,
        advertiseUrl: options.advertiseUrl,
        logicalShards: options.logicalShards,
        leaseTtlMs: options.leaseTtlMs,
      },
      {
        acquired: () => undefined,
        lost: (shards) => node?.shardsLost(shards),
        refreshed: () => undefined,
      },
      log,
    );
    node = new ClusterNode(options, pool, leases, secret, { host, port }, log);
    return node;
  }

  /** The condition the store adds to every append (the epoch fence). */
  appendFence(): LeaseAppendFence {
    return leaseFence(this.leases, this.options.logicalShards, (shard, sessionId) => {
      this.fencedAppends++;
      // A node that lost a lease and still wrote: expected right after a pause or partition, never otherwise.
      this.logger.warn({ shard, sessionId }, 'append refused by the epoch fence');
    });
  }

  /** Appends of this node the epoch fence refused since it started. */
  fencedAppends = 0;

  get nodeId(): string {
    return this.options.nodeId;
  }

  /** The address peers reach this node at (with the port bound when the configured one was 0). */
  advertiseUrl = '';

  /** Listens for peers and joins the cluster: from then on this node serves the shards it is given. */
  async join(local: LocalRuntime): Promise<void> {
    this.local = local;
    this.router = new ClusterRouter(
      this.leases,
      local,
      this.client,
      this.options.logicalShards,
      this.options.leaseTtlMs,
      this.logger,
    );
    const router = this.router;
    this.server = new PeerServer({
      local,
      holds: (shard) => this.leases.holds(shard),
      shardOf: (id) => router.shardOf(id),
      watchers: this.watchers,
      secret: this.secret,
      logger: this.logger,
    });
    const port = await this.server.listen(this.bind.host, this.bind.port);
    const url = new URL(this.options.advertiseUrl);
    url.port = String(port);
    this.advertiseUrl = url.origin;
    this.leases.setAdvertiseUrl(this.advertiseUrl);
    await this.leases.start();
    this.logger.info(
      { advertiseUrl: this.advertiseUrl, shards: this.leases.heldShards().length },
      'joined the cluster',
    );
  }

  route(cmd: PeerCommand): Promise<unknown> {
    return this.routerOrThrow().route(cmd);
  }

  subscribeEvents(sessionId: string, lastSeq: number): EventSubscription {
    const sub = new ClusterEventSubscription(
      sessionId,
      lastSeq,
      this.routerOrThrow(),
      this.local!,
      this.client,
      this.watchers,
    );
    return this.track(sub);
  }

  subscribeDeltas(sessionId: string): DeltaSubscription {
    const sub = new ClusterDeltaSubscription(
      sessionId,
      this.routerOrThrow(),
      this.local!,
      this.client,
      this.watchers,
    );
    return this.track(sub);
  }

  /** Shards this node holds now (for tests and metrics). */
  heldShards(): number[] {
    return this.leases.heldShards();
  }

  /** The lease manager, for tests that simulate a paused node or a split brain. */
  get leaseManager(): LeaseManager {
    return this.leases;
  }

  /** Leaves the cluster (peers take the shards at once), closes the peer endpoint and client. */
  async stop(): Promise<void> {
    for (const s of [...this.subscriptions]) await s.close();
    await this.leases
      .stop()
      .catch((err: unknown) => this.logger.warn({ err }, 'could not leave the cluster cleanly'));
    await this.server?.close();
    await this.client.close();
    await this.pool.end();
  }

  private shardsLost(shards: readonly number[]): void {
    this.watchers.lost(shards);
    const local = this.local;
    const router = this.router;
    if (local === undefined || router === undefined) return;
    const lost = new Set(shards);
    const evict = [...local.activeSessions()].filter((id) => lost.has(router.shardOf(id)));
    if (evict.length > 0) local.evictLocal(evict);
  }

  private track<T extends { close(): Promise<void> }>(sub: T): T {
    this.subscriptions.add(sub);
    const close = sub.close.bind(sub);
    sub.close = async () => {
      this.subscriptions.delete(sub);
      await close();
    };
    return sub;
  }

  private routerOrThrow(): ClusterRouter {
    if (this.router === undefined) throw new RuntimeError('SHUTTING_DOWN', 'the cluster node is not running');
    return this.router;
  }
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}
