import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ClusterError } from './cluster-error.js';
import { leaseTimings } from './cluster-options.js';
import type { HeldLease, LeaseRow, LeaseTable, LiveNode } from './lease-table.js';
import { placeShards } from './placement.js';

export interface LeaseManagerOptions {
  nodeId: string;
  advertiseUrl: string;
  logicalShards: number;
  leaseTtlMs: number;
}

export interface LeaseListener {
  /** The node may serve these shards now (under these epochs). */
  acquired(leases: readonly HeldLease[]): void;
  /** The node must stop serving these shards at once (lost, expired locally, or handed off). */
  lost(shards: readonly number[], reason: string): void;
  /** The owner map was refreshed (routing may retry what waited for an owner). */
  refreshed(): void;
}

/**
 * Membership and leases of one node. Every `renewEveryMs` it heartbeats and renews its leases in one
 * statement, reads the live nodes and the lease table, and moves towards the placement of
 * `placeShards` over the live nodes: it hands off shards now placed elsewhere (stops them, then releases)
 * and acquires free shards placed on it. A node that could not renew for `safeForMs` (a quarter TTL short
 * of the lease's end, measured from when the last successful renewal was sent) stops serving every shard
 * on its own, before any other node may take them.
 */
export class LeaseManager {
  readonly instanceId = randomUUID();
  private readonly held = new Map<number, number>();
  private leaseRows: LeaseRow[] = [];
  private nodes: LiveNode[] = [];
  /** `performance.now()` after which the held leases must no longer be used. */
  private servingUntil = 0;
  private readonly timings: { renewEveryMs: number; safeForMs: number };
  private tickTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  /** For tests of the fence: stop heartbeats and placement, keep believing in the leases held. */
  private frozen = false;

  constructor(
    private readonly table: LeaseTable,
    private options: LeaseManagerOptions,
    private readonly listener: LeaseListener,
    private readonly logger: Logger,
  ) {
    this.timings = leaseTimings(options.leaseTtlMs);
  }

  get nodeId(): string {
    return this.options.nodeId;
  }

  /** Before `start`: the address actually bound (when the configured port was 0). */
  setAdvertiseUrl(url: string): void {
    this.options = { ...this.options, advertiseUrl: url };
  }

  /**
   * Joins the cluster. A previous process with this node id is waited for until its row expires (at most
   * one TTL after it died); a live one past `2 × TTL` fails with NODE_ID_IN_USE.
   */
  async start(): Promise<void> {
    const deadline = performance.now() + 2 * this.options.leaseTtlMs + 5_000;
    for (;;) {
      const o = this.options;
      if (await this.table.join(o.nodeId, this.instanceId, o.advertiseUrl, o.leaseTtlMs)) break;
      if (performance.now() > deadline) {
        throw new ClusterError('NODE_ID_IN_USE', `another live process is cluster node ${o.nodeId}`);
      }
      await sleep(this.timings.renewEveryMs);
    }
    this.servingUntil = performance.now() + this.timings.safeForMs;
    await this.tick();
  }

  /** The epoch this node may write shard `shard` under now, or undefined when it must not write. */
  epochOf(shard: number): number | undefined {
    if (performance.now() >= this.servingUntil) return undefined;
    return this.held.get(shard);
  }

  holds(shard: number): boolean {
    return this.epochOf(shard) !== undefined;
  }

  heldShards(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /** The last lease row read for `shard` (owner, epoch, address), for routing. */
  leaseOf(shard: number): LeaseRow | undefined {
    return this.leaseRows[shard];
  }

  liveNodes(): readonly LiveNode[] {
    return this.nodes;
  }

  /** Runs a tick now (or joins the one running): heartbeat, renew, refresh, rebalance. */
  refresh(): Promise<void> {
    return this.tick();
  }

  /** Test hook: act as a paused process whose heartbeats stopped but who still believes in its leases. */
  freezeForTest(): void {
    this.frozen = true;
    this.servingUntil = Number.POSITIVE_INFINITY;
    clearTimeout(this.tickTimer);
    clearTimeout(this.expiryTimer);
  }

  /** Test hook: believe this node holds `shard` under `epoch`, whatever the table says. */
  assumeLeaseForTest(shard: number, epoch: number): void {
    this.held.set(shard, epoch);
  }

  /** Leaves the cluster: stops the loop, gives up every lease and the node row. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.tickTimer);
    clearTimeout(this.expiryTimer);
    await this.ticking?.catch(() => undefined);
    const shards = this.heldShards();
    this.held.clear();
    if (shards.length > 0) this.listener.lost(shards, 'the node is shutting down');
    if (this.frozen) return;
    await this.table.leave(this.options.nodeId, this.instanceId);
  }

  private tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    this.ticking = this.runTick().finally(() => {
      this.ticking = undefined;
      this.scheduleTick();
    });
    return this.ticking;
  }

  private scheduleTick(): void {
    if (this.stopped || this.frozen) return;
    clearTimeout(this.tickTimer);
    this.tickTimer = setTimeout(() => void this.tick(), this.timings.renewEveryMs);
    this.tickTimer.unref();
  }

  private async runTick(): Promise<void> {
    if (this.stopped || this.frozen) return;
    const o = this.options;
    try {
      const sentAt = performance.now();
      const renewed = await this.table.heartbeat(o.nodeId, this.instanceId, o.leaseTtlMs);
      if (this.stopped || this.frozen) return;
      if (renewed === null) {
        this.dropAll('another process took over this node id');
        await this.table.join(o.nodeId, this.instanceId, o.advertiseUrl, o.leaseTtlMs);
        return;
      }
      this.servingUntil = sentAt + this.timings.safeForMs;
      this.armExpiry();
      this.reconcile(renewed);
      [this.nodes, this.leaseRows] = await Promise.all([this.table.liveNodes(), this.table.leases()]);
      await this.rebalance();
      this.listener.refreshed();
    } catch (err) {
      this.logger.warn({ err }, 'cluster heartbeat failed; retrying');
    }
  }

  /** What the database says this node holds is the truth: drop what it lost, adopt what it still has. */
  private reconcile(renewed: readonly HeldLease[]): void {
    const now = new Map(renewed.map((l) => [l.shard, l.epoch]));
    const lost: number[] = [];
    for (const [shard, epoch] of this.held) if (now.get(shard) !== epoch) lost.push(shard);
    for (const shard of lost) this.held.delete(shard);
    if (lost.length > 0) this.listener.lost(lost, 'the lease was lost');
    const adopted: HeldLease[] = [];
    for (const l of renewed) {
      if (this.held.has(l.shard)) continue;
      this.held.set(l.shard, l.epoch);
      adopted.push(l);
    }
    if (adopted.length > 0) this.listener.acquired(adopted);
  }

  private async rebalance(): Promise<void> {
    const o = this.options;
    const placement = placeShards(
      o.logicalShards,
      this.nodes.map((n) => n.nodeId),
    );
    const handOff: number[] = [];
    for (const shard of this.held.keys()) {
      const target = placement[shard];
      if (target !== null && target !== undefined && target !== o.nodeId) handOff.push(shard);
    }
    if (handOff.length > 0) {
      for (const shard of handOff) this.held.delete(shard);
      this.listener.lost(handOff, 'the shard was handed off');
      await this.table.release(o.nodeId, handOff);
      this.logger.info({ shards: handOff.length }, 'handed off shards');
    }
    const wanted: number[] = [];
    for (let shard = 0; shard < placement.length; shard++) {
      if (placement[shard] !== o.nodeId || this.held.has(shard)) continue;
      const row = this.leaseRows[shard];
      if (row === undefined || !row.live) wanted.push(shard);
    }
    if (wanted.length === 0) return;
    const got = await this.table.acquire(o.nodeId, wanted, o.leaseTtlMs);
    if (this.stopped || this.frozen) {
      await this.table.release(
        o.nodeId,
        got.map((l) => l.shard),
      );
      return;
    }
    for (const l of got) this.held.set(l.shard, l.epoch);
    if (got.length > 0) {
      this.logger.info({ shards: got.length }, 'acquired shards');
      this.listener.acquired(got);
      this.leaseRows = await this.table.leases();
    }
  }

  /** Stop serving on our own once the last renewal is too old, before any other node may take over. */
  private armExpiry(): void {
    clearTimeout(this.expiryTimer);
    const left = this.servingUntil - performance.now();
    this.expiryTimer = setTimeout(() => this.dropAll('the leases could not be renewed in time'), left);
    this.expiryTimer.unref();
  }

  private dropAll(reason: string): void {
    const shards = this.heldShards();
    this.held.clear();
    if (shards.length === 0) return;
    this.logger.warn({ shards: shards.length, reason }, 'stopped serving shards');
    this.listener.lost(shards, reason);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
