import type { ShardInspection, ShardStats } from '@shoal/session-worker';
import type {
  Action,
  ApprovalMemory,
  ModelId,
  SessionConfigInput,
  SessionStateSnapshot,
  StoredEvent,
  UserContent,
} from '@shoal/shared';
import {
  LevelEventStore,
  type ListSessionsOptions,
  type SessionPage,
  type SessionStore,
  type SessionSummary,
} from '@shoal/store';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ClusterNode } from './cluster/cluster-node.js';
import type { PeerCommand } from './cluster/peer-protocol.js';
import {
  bashCommandAction,
  cancelAction,
  clientAction,
  compactionAction,
  editedMessageAction,
  newSessionConfig,
  switchAgentAction,
  toolApprovalAction,
  userInputAction,
} from './commands/session-actions.js';
import { RuntimeError } from './errors/runtime-error.js';
import type { DeltaSubscription } from './events/delta-subscription.js';
import type { EventSubscription } from './events/event-subscription.js';
import { type AppendListener, PublishingStore } from './events/publishing-store.js';
import { ResumingSubscriptions } from './events/resuming-subscriptions.js';
import { SubscriptionHub } from './events/subscription-hub.js';
import { localRuntimeOf } from './local-runtime-adapter.js';
import type { ResolvedRuntimeOptions, RuntimeOptions } from './options/runtime-options.js';
import { openRuntimeResources } from './runtime-resources.js';
import { ResidentSessions } from './shards/resident-sessions.js';
import { recoverFromShardExit } from './shards/shard-crash-recovery.js';
import { ShardInspectionClient } from './shards/shard-inspection.js';
import { ShardPool, type ShardRequest } from './shards/shard-pool.js';
import { storeCall } from './store/store-call.js';
import { StoreRpcServer } from './store/store-rpc-server.js';
import { parseArg, ShardIndexArg } from './validation/arguments.js';
import { checkArg, checkSessionId, SubscribeEventsOpts } from './validation/runtime-arguments.js';
import type { WorkspaceRoots } from './validation/workspace-roots.js';

/**
 * api.md `Runtime`: the main-thread supervisor. It validates every input, hashes each session id onto a
 * shard (`ShardPool`), and forwards commands over the shard protocol. It owns the event store: shards append
 * through it (`StoreRpcServer`: one LevelDB, one group commit for all shards), and it fans durable events
 * out to subscribers (`SubscriptionHub`).
 */
export class Runtime {
  private readonly shards: ShardPool;
  private readonly hub: SubscriptionHub;
  private readonly publishing: PublishingStore;
  private readonly active: ResidentSessions;
  private readonly subscriptions: ResumingSubscriptions;
  /** One control-plane client per shard; each follows its shard onto a replacement thread. */
  private readonly inspections: ShardInspectionClient[] = [];
  private shutdownPromise: Promise<void> | undefined;
  /** Cluster mode: this node's leases, router and peer endpoint (docs/cluster.md). */
  private cluster: ClusterNode | undefined;

  private constructor(
    private readonly options: ResolvedRuntimeOptions,
    private readonly dataDir: string,
    private readonly store: SessionStore,
    private readonly logger: Logger,
    private readonly workspaceRoots: WorkspaceRoots,
  ) {
    const { eventBufferPerSubscriber: eventBuffer, deltaBufferPerSubscriber: deltaBuffer } = options.limits;
    const hub = new SubscriptionHub(store, { eventBuffer, deltaBuffer }, (sessionId, events, deltas) =>
      this.shards.sendFor(sessionId, { t: 'subscribers', sessionId, events, deltas }),
    );
    const publishing = new PublishingStore(store, hub);
    const storeServer = new StoreRpcServer(publishing);
    this.hub = hub;
    this.publishing = publishing;
    this.subscriptions = new ResumingSubscriptions(
      hub,
      store,
      (id) => this.resumeSession(id),
      () => this.cluster,
    );
    // A passivated session should cost nothing on the main thread either: drop the store's cache entry
    // for it (a no-op while the store still has writes of that session in flight).
    this.active = new ResidentSessions((id) => {
      if (store instanceof LevelEventStore) store.evictSession(id);
    });
    this.shards = new ShardPool(
      options,
      dataDir,
      publishing,
      {
        onStoreRequest: (link, msg) => storeServer.serve(link, msg),
        onDeltas: (msg) => this.hub.publishDeltas(msg.sessionId, msg.deltas),
        onActivity: (msg) => this.active.report(msg.sessionId, msg.active),
        onShardExit: (index, error) =>
          recoverFromShardExit({ shards: this.shards, active: this.active, hub, logger }, index, error),
      },
      logger,
    );
  }

  static async start(options?: RuntimeOptions): Promise<Runtime> {
    const res = await openRuntimeResources(options);
    const { options: opts, dataDir, logger, store, cluster } = res;
    const runtime = new Runtime(opts, dataDir, store, logger, res.workspaceRoots);
    await runtime.shards.start();
    for (let i = 0; i < runtime.shards.size; i++) {
      const shards = runtime.shards;
      runtime.inspections.push(new ShardInspectionClient(i, () => shards.inspection(i)));
    }
    if (cluster) {
      runtime.cluster = cluster;
      const { shards, active } = runtime;
      await cluster.join(localRuntimeOf({ shards, hub: runtime.hub, active, store, logger }));
    }
    logger.info(
      { shards: opts.shards, store: opts.store, durability: opts.durability, dataDir },
      'runtime started',
    );
    return runtime;
  }

  /** The number of shards commands are hashed onto (at least 1; `shards: 0` runs one in-process). */
  get shardCount(): number {
    return this.shards.size;
  }

  // ---------------------------------------------------------------- lifecycle

  async createSession(config?: SessionConfigInput): Promise<string> {
    this.assertRunning();
    const { sessionId, config: effective } = await newSessionConfig(
      config,
      this.maxInputBytes,
      this.workspaceRoots,
      this.dataDir,
    );
    await this.request(sessionId, {
      t: 'create',
      id: 0,
      sessionId,
      config: effective,
      metadata: effective.metadata,
    });
    return sessionId;
  }

  async resumeSession(sessionId: string): Promise<void> {
    this.checkId(sessionId);
    await this.request(sessionId, { t: 'ensureActive', id: 0, sessionId });
  }

  async suspendSession(sessionId: string): Promise<void> {
    this.checkId(sessionId);
    await this.request(sessionId, { t: 'suspend', id: 0, sessionId });
  }

  /** Removes the session and its history. Deleting an unknown id is a no-op (spec §8.2). */
  async deleteSession(sessionId: string): Promise<void> {
    this.checkId(sessionId);
    // Delete from the store first: from then on a live actor's appends fail and any resume finds nothing,
    // so the eviction that follows cannot race with a command that would bring the session back.
    await storeCall(() => this.store.deleteSession(sessionId));
    await this.request(sessionId, { t: 'evict', id: 0, sessionId });
    this.active.forget(sessionId);
    this.hub.endSession(sessionId);
  }

  // ---------------------------------------------------------------- commands

  /** Accepts the client actions of spec §3.1 only (`ClientActionSchema`); any other type is `Validation`. */
  async dispatchAction(sessionId: string, action: Action): Promise<void> {
    this.checkId(sessionId);
    await this.dispatch(sessionId, clientAction(sessionId, action, this.maxInputBytes));
  }

  async submitUserInput(
    sessionId: string,
    content: string | UserContent[],
    model?: ModelId,
  ): Promise<{ opId: string; messageId: string }> {
    this.checkId(sessionId);
    const { action, opId, messageId } = userInputAction(sessionId, content, model, this.maxInputBytes);
    await this.dispatch(sessionId, action);
    return { opId, messageId };
  }

  async submitToolApproval(
    sessionId: string,
    requestId: string,
    approved: boolean,
    remember?: ApprovalMemory,
  ): Promise<void> {
    this.checkId(sessionId);
    await this.dispatch(sessionId, toolApprovalAction(sessionId, requestId, approved, remember));
  }

  async switchPrimaryAgent(sessionId: string, agentId: string): Promise<void> {
    this.checkId(sessionId);
    await this.dispatch(sessionId, switchAgentAction(sessionId, agentId));
  }

  async cancelOperation(sessionId: string, opId?: string): Promise<void> {
    this.checkId(sessionId);
    await this.dispatch(sessionId, cancelAction(sessionId, opId));
  }

  async submitEditedMessage(
    sessionId: string,
    originalMessageId: string,
    newContent: string | UserContent[],
    model?: ModelId,
  ): Promise<string> {
    this.checkId(sessionId);
    const edit = editedMessageAction(sessionId, originalMessageId, newContent, model, this.maxInputBytes);
    await this.dispatch(sessionId, edit.action);
    return edit.opId;
  }

  async submitDequeueQueuedItem(sessionId: string): Promise<void> {
    this.checkId(sessionId);
    await this.dispatch(sessionId, { type: 'DequeueQueuedItem', sessionId });
  }

  async compactSession(sessionId: string, model?: ModelId): Promise<string> {
    this.checkId(sessionId);
    const { action, opId } = compactionAction(sessionId, model);
    await this.dispatch(sessionId, action);
    return opId;
  }

  async executeBashCommand(sessionId: string, command: string): Promise<string> {
    this.checkId(sessionId);
    const { action, opId } = bashCommandAction(sessionId, command, this.maxInputBytes);
    await this.dispatch(sessionId, action);
    return opId;
  }

  // ---------------------------------------------------------------- queries and subscriptions

  async subscribeEvents(sessionId: string, opts?: { afterSeq?: number }): Promise<EventSubscription> {
    this.checkId(sessionId);
    const { afterSeq } = parseArg(SubscribeEventsOpts, opts ?? {}, 'opts');
    return this.subscriptions.events(sessionId, afterSeq);
  }

  async subscribeDeltas(sessionId: string): Promise<DeltaSubscription> {
    this.checkId(sessionId);
    return this.subscriptions.deltas(sessionId);
  }

  async loadEventsAfter(sessionId: string, afterSeq: number): Promise<StoredEvent[]> {
    this.checkId(sessionId);
    checkArg(z.number().int().min(-1), afterSeq, 'afterSeq');
    this.assertRunning();
    return storeCall(() => this.store.loadEventsAfter(sessionId, afterSeq));
  }

  async getSessionState(sessionId: string): Promise<SessionStateSnapshot> {
    this.checkId(sessionId);
    const state = (await this.request(sessionId, {
      t: 'getState',
      id: 0,
      sessionId,
    })) as SessionStateSnapshot;
    // In-process shards pass objects by reference; hand callers their own copy.
    return this.options.shards === 0 ? structuredClone(state) : state;
  }

  async isSessionActive(sessionId: string): Promise<boolean> {
    this.checkId(sessionId);
    return this.active.has(sessionId);
  }

  async listActiveSessions(): Promise<string[]> {
    return [...this.active];
  }

  async listAllSessions(): Promise<string[]> {
    this.assertRunning();
    return storeCall(() => this.store.listSessionIds());
  }

  async sessionExists(sessionId: string): Promise<boolean> {
    this.checkId(sessionId);
    this.assertRunning();
    return storeCall(() => this.store.sessionExists(sessionId));
  }

  // ---------------------------------------------------------------- beyond api.md: catalog and observers

  /**
   * A page of the store's session catalog, newest-updated first, read from its listing index (not a scan of
   * every session); `metadataFilter` narrows it to one metadata pair (a host's tenant tag). A malformed
   * cursor or limit rejects with `INVALID_INPUT`/`Validation`.
   */
  async listSessions(opts?: ListSessionsOptions): Promise<SessionPage> {
    this.assertRunning();
    return storeCall(() => this.store.listSessions(opts));
  }

  /** The catalog entry of one session (creation metadata, times, counts), or null for an unknown id. */
  async getSessionSummary(sessionId: string): Promise<SessionSummary | null> {
    this.checkId(sessionId);
    return storeCall(() => this.store.getSessionSummary(sessionId));
  }

  /**
   * Calls `listener` after every acknowledged append (events count, store latency in ms), on the main thread;
   * for metrics. Returns the function that removes it.
   */
  onAppend(listener: AppendListener): () => void {
    this.publishing.appendListeners.add(listener);
    return () => this.publishing.appendListeners.delete(listener);
  }

  /** The underlying store, for catalog queries (paged listing, tenants) beyond the api.md surface. */
  get eventStore(): SessionStore {
    return this.store;
  }

  /**
   * Shard `index`'s control plane (`ShardInspection`: stats, resident sessions, heap, log level, fault
   * injection), the same interface whatever `shards` is; its calls never travel with commands.
   */
  inspectShard(index: number): ShardInspection {
    const client = this.inspections[parseArg(ShardIndexArg(this.inspections.length), index, 'index')];
    if (!client) throw RuntimeError.validation('no such shard', [{ path: [], message: `shard ${index}` }]);
    return client;
  }

  /** Every shard's `stats()`, in shard order, for metrics and the load test. */
  async shardStats(): Promise<ShardStats[]> {
    this.assertRunning();
    return Promise.all(this.inspections.map((i) => i.stats()));
  }

  // ---------------------------------------------------------------- shutdown

  /** Stops accepting commands, lets in-flight appends finish, closes the store and every worker. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.doShutdown();
    return this.shutdownPromise;
  }

  private async doShutdown(): Promise<void> {
    this.shards.beginClose();
    // Leave the cluster first: peers take this node's shards at once instead of after the lease TTL.
    await this.cluster?.stop();
    await this.shards.close();
    this.hub.endAll();
    this.active.clear();
    await this.store.close();
    this.logger.info('runtime stopped');
    this.logger.flush?.();
  }

  // ---------------------------------------------------------------- routing

  private request(sessionId: string, cmd: ShardRequest): Promise<unknown> {
    this.assertRunning();
    if (this.cluster) return this.cluster.route(cmd as PeerCommand & ShardRequest);
    return this.shards.request(this.shards.shardFor(sessionId), cmd);
  }

  /** Resolves once the shard has reduced the action and appended its events (with no value). */
  private dispatch(sessionId: string, action: Action): Promise<unknown> {
    return this.request(sessionId, { t: 'dispatch', id: 0, sessionId, action });
  }

  /** Cluster mode: this node's cluster membership (leases, routing), for tests and operations. */
  get clusterNode(): ClusterNode | undefined {
    return this.cluster;
  }

  // ---------------------------------------------------------------- argument helpers

  private assertRunning(): void {
    if (this.shards.isClosing) throw new RuntimeError('SHUTTING_DOWN', 'the runtime is shutting down');
  }

  private checkId(sessionId: string): void {
    this.assertRunning();
    checkSessionId(sessionId);
  }

  private get maxInputBytes(): number {
    return this.options.limits.maxInputBytes;
  }
}
