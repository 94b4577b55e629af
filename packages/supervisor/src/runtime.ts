import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  runtimeErrorFromStore,
  type ShardCommand,
  type ShardMessage,
  type ShardRunnerOptions,
} from '@shoal/session-worker';
import {
  type Action,
  type ApprovalMemory,
  ApprovalMemorySchema,
  ClientActionSchema,
  createLogger,
  fromWireError,
  isClientActionType,
  type ModelId,
  ModelIdSchema,
  PendingReplies,
  resolveEffectiveConfig,
  resolveSystemPrompt,
  type SessionConfigInput,
  SessionConfigInputSchema,
  type SessionStateSnapshot,
  type StoredEvent,
  sessionConfigFromInput,
  shardOf,
  toWireError,
  type UserContent,
  UserContentSchema,
} from '@shoal/shared';
import {
  LevelEventStore,
  type ListSessionsOptions,
  MemoryEventStore,
  PostgresEventStore,
  type SessionPage,
  type SessionStore,
  type SessionSummary,
} from '@shoal/store';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ClusterNode } from './cluster/cluster-node.js';
import type { LocalRuntime } from './cluster/local-runtime.js';
import type { PeerCommand } from './cluster/peer-protocol.js';
import { RuntimeError } from './errors/runtime-error.js';
import type { DeltaSubscription } from './events/delta-subscription.js';
import type { EventSubscription } from './events/event-subscription.js';
import { type AppendListener, PublishingStore } from './events/publishing-store.js';
import { SubscriptionHub } from './events/subscription-hub.js';
import {
  type ResolvedRuntimeOptions,
  type RuntimeOptions,
  resolveRuntimeOptions,
} from './options/runtime-options.js';
import { InProcessShard } from './shards/in-process-shard.js';
import type { ShardLink, ShardLinkEvents } from './shards/shard-link.js';
import { WorkerShard } from './shards/worker-shard.js';
import { MetadataArg, parseArg, SessionIdArg } from './validation/arguments.js';
import { checkInputSize } from './validation/input-size.js';
import { WorkspaceRoots } from './validation/workspace-roots.js';

/** A command that expects a reply; its `id` (written as 0) is assigned by `requestShard`. */
type Request = Extract<ShardCommand, { id: number }> & { t: Exclude<ShardCommand['t'], 'storeReply'> };

const ContentArg = z.union([z.string(), z.array(UserContentSchema)]);
/** What `createSession` accepts: api.md `SessionConfigInput`, with metadata fit for the catalog's index. */
const SessionConfigArg = SessionConfigInputSchema.extend({ metadata: MetadataArg.optional() });
/** spec §3.1: only client actions may be dispatched; the others are made inside the runtime. */
const ClientActionArg = z
  .custom<unknown>((a) => isClientActionType((a as { type?: unknown } | null)?.type), {
    message: 'only client actions (spec §3.1) can be dispatched; this type is internal to the runtime',
  })
  .pipe(ClientActionSchema);
const SubscribeEventsOpts = z.object({ afterSeq: z.number().int().min(-1).optional() });

/**
 * api.md `Runtime`: the main-thread supervisor. It validates every input, hashes each session id onto a
 * shard (`shardOf`), and forwards commands over the shard protocol. It owns the event store: shards append
 * through it (one LevelDB, one group commit for all shards), and it fans durable events out to subscribers.
 */
export class Runtime {
  private readonly shards: ShardLink[] = [];
  /** Requests in flight, per shard. */
  private readonly pending: PendingReplies[] = [];
  private readonly active = new Set<string>();
  private nextId = 1;
  private shuttingDown = false;
  private shutdownPromise: Promise<void> | undefined;
  /** Cluster mode: this node's leases, router and peer endpoint (docs/cluster.md). */
  private cluster: ClusterNode | undefined;

  private constructor(
    private readonly options: ResolvedRuntimeOptions,
    private readonly dataDir: string,
    private readonly store: SessionStore,
    private readonly publishing: PublishingStore,
    private readonly hub: SubscriptionHub,
    private readonly logger: Logger,
    private readonly workspaceRoots: WorkspaceRoots,
  ) {}

  static async start(options?: RuntimeOptions): Promise<Runtime> {
    let opts: ResolvedRuntimeOptions;
    try {
      opts = resolveRuntimeOptions(options);
    } catch (err) {
      if (err instanceof z.ZodError) throw RuntimeError.validation('invalid runtime options', err.issues);
      // Reading the options threw (a getter, a Proxy): invalid input as well.
      throw RuntimeError.validation(`invalid runtime options: reading them threw: ${String(err)}`, []);
    }
    const dataDir = resolve(opts.dataDir);
    await mkdir(dataDir, { recursive: true });
    const workspaceRoots = await WorkspaceRoots.prepare(opts.workspaceRoots ?? [join(dataDir, 'workspaces')]);
    const logger = createLogger(opts.logLevel, { component: 'supervisor' });
    const cluster =
      opts.cluster && opts.postgres
        ? await ClusterNode.open(opts.cluster, opts.postgres.connectionString, logger)
        : undefined;
    let store: SessionStore;
    try {
      store =
        opts.store === 'memory'
          ? new MemoryEventStore()
          : opts.store === 'postgres' && opts.postgres
            ? await PostgresEventStore.open(opts.postgres.connectionString, {
                appendFence: cluster?.appendFence(),
              })
            : await LevelEventStore.open(join(dataDir, 'events'), { durability: opts.durability });
    } catch (err) {
      await cluster?.stop();
      const e = runtimeErrorFromStore(err);
      throw new RuntimeError(e.code, `cannot open the event store: ${e.message}`, e.kind, e.details, {
        cause: err,
      });
    }
    let runtime: Runtime | undefined;
    const hub = new SubscriptionHub(
      store,
      {
        eventBuffer: opts.limits.eventBufferPerSubscriber,
        deltaBuffer: opts.limits.deltaBufferPerSubscriber,
      },
      (sessionId, events, deltas) =>
        runtime?.sendToShard(sessionId, { t: 'subscribers', sessionId, events, deltas }),
    );
    runtime = new Runtime(opts, dataDir, store, new PublishingStore(store, hub), hub, logger, workspaceRoots);
    await runtime.startShards();
    if (cluster) {
      runtime.cluster = cluster;
      await cluster.join(runtime.localRuntime());
    }
    logger.info(
      { shards: opts.shards, store: opts.store, durability: opts.durability, dataDir },
      'runtime started',
    );
    return runtime;
  }

  /** The number of shards commands are hashed onto (at least 1; `shards: 0` runs one in-process). */
  get shardCount(): number {
    return this.shards.length;
  }

  // ---------------------------------------------------------------- lifecycle

  async createSession(config?: SessionConfigInput): Promise<string> {
    this.assertRunning();
    const input = parseArg(SessionConfigArg, config ?? {}, 'config');
    checkInputSize(input, this.options.limits.maxInputBytes, 'config');
    // A caller-chosen workspace must lie inside a workspace root; it is recorded as resolved there.
    if (input.workspace !== undefined) {
      input.workspace = { ...input.workspace, path: await this.workspaceRoots.confine(input.workspace.path) };
    }
    const sessionId = randomUUID();
    // spec §8.2 CreateSession 3-5: default agent, effective config, explicit system prompt.
    const base = sessionConfigFromInput(input, {
      workspacePath: join(this.dataDir, 'workspaces', sessionId),
    });
    const effective = resolveEffectiveConfig(base);
    effective.systemPrompt = resolveSystemPrompt(effective);
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
    await this.storeCall(() => this.store.deleteSession(sessionId));
    await this.request(sessionId, { t: 'evict', id: 0, sessionId });
    this.active.delete(sessionId);
    this.hub.endSession(sessionId);
  }

  // ---------------------------------------------------------------- commands

  /** Accepts the client actions of spec §3.1 only (`ClientActionSchema`); any other type is `Validation`. */
  async dispatchAction(sessionId: string, action: Action): Promise<void> {
    this.checkId(sessionId);
    const a = parseArg(ClientActionArg, action, 'action');
    checkInputSize(a, this.options.limits.maxInputBytes, 'action');
    if (a.sessionId !== sessionId) {
      throw RuntimeError.validation('action.sessionId does not match the session', [
        { path: ['sessionId'], message: `expected ${sessionId}` },
      ]);
    }
    await this.dispatch(sessionId, a);
  }

  async submitUserInput(
    sessionId: string,
    content: string | UserContent[],
    model?: ModelId,
  ): Promise<{ opId: string; messageId: string }> {
    this.checkId(sessionId);
    const items = this.content(content);
    // spec §8.3: at least one non-blank text item or one non-text item.
    if (!hasContent(items)) {
      throw new RuntimeError('INVALID_INPUT', 'the input is empty', 'EmptyInput');
    }
    const opId = randomUUID();
    const messageId = randomUUID();
    await this.dispatch(sessionId, {
      type: 'UserInput',
      sessionId,
      content: items,
      opId,
      messageId,
      model: this.model(model),
      timestamp: nowSeconds(),
    } as Action);
    return { opId, messageId };
  }

  async submitToolApproval(
    sessionId: string,
    requestId: string,
    approved: boolean,
    remember?: ApprovalMemory,
  ): Promise<void> {
    this.checkId(sessionId);
    this.checkArg(z.string().min(1), requestId, 'requestId');
    this.checkArg(z.boolean(), approved, 'approved');
    await this.dispatch(sessionId, {
      type: 'ToolApprovalDecided',
      sessionId,
      requestId,
      decision: approved ? 'Approved' : 'Denied',
      remember: remember === undefined ? undefined : parseArg(ApprovalMemorySchema, remember, 'remember'),
    });
  }

  async switchPrimaryAgent(sessionId: string, agentId: string): Promise<void> {
    this.checkId(sessionId);
    this.checkArg(z.string(), agentId, 'agentId');
    await this.dispatch(sessionId, { type: 'SwitchPrimaryAgent', sessionId, agentId });
  }

  async cancelOperation(sessionId: string, opId?: string): Promise<void> {
    this.checkId(sessionId);
    if (opId !== undefined) this.checkArg(z.string().min(1), opId, 'opId');
    await this.dispatch(sessionId, { type: 'Cancel', sessionId, opId });
  }

  async submitEditedMessage(
    sessionId: string,
    originalMessageId: string,
    newContent: string | UserContent[],
    model?: ModelId,
  ): Promise<string> {
    this.checkId(sessionId);
    this.checkArg(z.string().min(1), originalMessageId, 'originalMessageId');
    const opId = randomUUID();
    await this.dispatch(sessionId, {
      type: 'UserEditedMessage',
      sessionId,
      messageId: originalMessageId,
      newContent: this.content(newContent),
      opId,
      newMessageId: randomUUID(),
      model: this.model(model),
      timestamp: nowSeconds(),
    } as Action);
    return opId;
  }

  async submitDequeueQueuedItem(sessionId: string): Promise<void> {
    this.checkId(sessionId);
    await this.dispatch(sessionId, { type: 'DequeueQueuedItem', sessionId });
  }

  async compactSession(sessionId: string, model?: ModelId): Promise<string> {
    this.checkId(sessionId);
    const opId = randomUUID();
    await this.dispatch(sessionId, {
      type: 'RequestCompaction',
      sessionId,
      opId,
      model: this.model(model),
    } as Action);
    return opId;
  }

  async executeBashCommand(sessionId: string, command: string): Promise<string> {
    this.checkId(sessionId);
    this.checkArg(z.string(), command, 'command');
    checkInputSize(command, this.options.limits.maxInputBytes, 'command');
    if (command.trim().length === 0)
      throw new RuntimeError('INVALID_INPUT', 'the command is empty', 'EmptyInput');
    const opId = randomUUID();
    await this.dispatch(sessionId, {
      type: 'DirectBashCommand',
      sessionId,
      opId,
      messageId: randomUUID(),
      command,
      timestamp: nowSeconds(),
    });
    return opId;
  }

  // ---------------------------------------------------------------- queries and subscriptions

  async subscribeEvents(sessionId: string, opts?: { afterSeq?: number }): Promise<EventSubscription> {
    this.checkId(sessionId);
    const { afterSeq } = parseArg(SubscribeEventsOpts, opts ?? {}, 'opts');
    if (this.cluster) {
      await this.resumeSession(sessionId);
      const from = afterSeq ?? (await this.storeCall(() => this.store.latestSequence(sessionId))) ?? -1;
      return this.cluster.subscribeEvents(sessionId, from);
    }
    return this.resumeFor(sessionId, this.hub.subscribeEvents(sessionId, afterSeq));
  }

  async subscribeDeltas(sessionId: string): Promise<DeltaSubscription> {
    this.checkId(sessionId);
    if (this.cluster) {
      await this.resumeSession(sessionId);
      return this.cluster.subscribeDeltas(sessionId);
    }
    return this.resumeFor(sessionId, this.hub.subscribeDeltas(sessionId));
  }

  /**
   * Subscriptions resume the session on demand (api.md). The subscriber is registered first so nothing the
   * resume appends (e.g. a queue drain) is missed; it is closed again if the session cannot be resumed.
   */
  private async resumeFor<T extends { close(): Promise<void> }>(sessionId: string, sub: T): Promise<T> {
    try {
      await this.resumeSession(sessionId);
    } catch (err) {
      await sub.close();
      throw err;
    }
    return sub;
  }

  async loadEventsAfter(sessionId: string, afterSeq: number): Promise<StoredEvent[]> {
    this.checkId(sessionId);
    this.checkArg(z.number().int().min(-1), afterSeq, 'afterSeq');
    this.assertRunning();
    return this.storeCall(() => this.store.loadEventsAfter(sessionId, afterSeq));
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
    return this.storeCall(() => this.store.listSessionIds());
  }

  async sessionExists(sessionId: string): Promise<boolean> {
    this.checkId(sessionId);
    this.assertRunning();
    return this.storeCall(() => this.store.sessionExists(sessionId));
  }

  // ---------------------------------------------------------------- beyond api.md: catalog and observers

  /**
   * A page of the store's session catalog, newest-updated first, read from its listing index (not a scan of
   * every session); `metadataFilter` narrows it to one metadata pair (a host's tenant tag). A malformed
   * cursor or limit rejects with `INVALID_INPUT`/`Validation`.
   */
  async listSessions(opts?: ListSessionsOptions): Promise<SessionPage> {
    this.assertRunning();
    return this.storeCall(() => this.store.listSessions(opts));
  }

  /** The catalog entry of one session (creation metadata, times, counts), or null for an unknown id. */
  async getSessionSummary(sessionId: string): Promise<SessionSummary | null> {
    this.checkId(sessionId);
    return this.storeCall(() => this.store.getSessionSummary(sessionId));
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

  /** Per-shard counters (resident sessions, queued commands, memory), for metrics and the load test. */
  async shardStats(): Promise<unknown[]> {
    return Promise.all(this.shards.map((s) => this.requestShard(s.index, { t: 'stats', id: 0 })));
  }

  // ---------------------------------------------------------------- shutdown

  /** Stops accepting commands, lets in-flight appends finish, closes the store and every worker. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.doShutdown();
    return this.shutdownPromise;
  }

  private async doShutdown(): Promise<void> {
    this.shuttingDown = true;
    // Leave the cluster first: peers take this node's shards at once instead of after the lease TTL.
    await this.cluster?.stop();
    await Promise.allSettled(
      this.shards.map((s) => this.requestShard(s.index, { t: 'shutdown', id: 0 }, true)),
    );
    await Promise.allSettled(this.shards.map((s) => s.terminate()));
    for (const pending of this.pending) {
      pending.rejectAll(() => new RuntimeError('SHUTTING_DOWN', 'the runtime shut down'));
    }
    this.hub.endAll();
    this.active.clear();
    await this.store.close();
    this.logger.info('runtime stopped');
    this.logger.flush?.();
  }

  // ---------------------------------------------------------------- shard plumbing

  private async startShards(): Promise<void> {
    const count = Math.max(1, this.options.shards);
    const events: ShardLinkEvents = {
      onMessage: (index, msg) => this.onShardMessage(index, msg),
      onExit: (index, error) => this.onShardExit(index, error),
      onRequestFailed: (index, id, error) => this.pending[index]?.reject(id, error),
      onAllRequestsFailed: (index, error) => this.pending[index]?.rejectAll(() => error),
    };
    for (let i = 0; i < count; i++) {
      this.pending.push(new PendingReplies());
      const hostOptions = this.hostOptions(i);
      if (this.options.shards === 0) {
        this.shards.push(
          new InProcessShard(i, hostOptions, this.publishing, events, this.logger.child({ shard: i })),
        );
      } else {
        this.shards.push(await WorkerShard.spawn(i, hostOptions, events, this.logger.child({ shard: i })));
      }
    }
  }

  private hostOptions(index: number): ShardRunnerOptions {
    const o = this.options;
    return {
      shardIndex: index,
      dataDir: this.dataDir,
      providers: o.providers,
      logLevel: o.logLevel,
      idleTimeoutMs: o.idleTimeoutMs,
      maxPendingPerSession: o.limits.maxPendingPerSession,
      maxPendingPerShard: o.limits.maxPendingPerShard,
      snapshotEveryEvents: o.snapshotEveryEvents,
      maxMessageBytes: o.limits.maxMessageBytes,
      maxToolOutputBytes: o.limits.maxToolOutputBytes,
      maxEventBytes: o.limits.maxEventBytes,
      maxQueuedInputs: o.limits.maxQueuedInputs,
      maxQueuedBytes: o.limits.maxQueuedBytes,
    };
  }

  private shardFor(sessionId: string): number {
    return this.shards.length === 1 ? 0 : shardOf(sessionId, this.shards.length);
  }

  private sendToShard(sessionId: string, cmd: ShardCommand): void {
    if (this.shuttingDown) return;
    this.shards[this.shardFor(sessionId)]?.send(cmd);
  }

  private request(sessionId: string, cmd: Request): Promise<unknown> {
    this.assertRunning();
    if (this.cluster) return this.cluster.route(cmd as PeerCommand & Request);
    return this.requestShard(this.shardFor(sessionId), cmd);
  }

  /** Cluster mode: this node's cluster membership (leases, routing), for tests and operations. */
  get clusterNode(): ClusterNode | undefined {
    return this.cluster;
  }

  /** What the cluster layer may do on this node: run commands on its shards, read its subscription hub. */
  private localRuntime(): LocalRuntime {
    return {
      requestLocal: (cmd) => this.requestShard(this.shardFor(cmd.sessionId), { ...cmd, id: 0 } as Request),
      subscribeEventsLocal: (sessionId, afterSeq) => this.hub.subscribeEvents(sessionId, afterSeq),
      subscribeDeltasLocal: (sessionId) => this.hub.subscribeDeltas(sessionId),
      evictLocal: (sessionIds) => {
        // Suspending (not deleting) stops the actor; what was queued behind it runs on a fresh actor whose
        // appends the fence refuses, so each such command is routed again to the new owner.
        for (const sessionId of sessionIds) {
          this.requestShard(this.shardFor(sessionId), { t: 'suspend', id: 0, sessionId }, true).catch(
            (err: unknown) => this.logger.debug({ err, sessionId }, 'suspend after losing the shard failed'),
          );
        }
      },
      activeSessions: () => this.active,
      latestSequence: (sessionId) => this.store.latestSequence(sessionId),
    };
  }

  private requestShard(index: number, cmd: Request, evenIfShuttingDown = false): Promise<unknown> {
    if (this.shuttingDown && !evenIfShuttingDown) {
      return Promise.reject(new RuntimeError('SHUTTING_DOWN', 'the runtime is shutting down'));
    }
    const id = this.nextId++;
    const pending = this.pending[index]!;
    if (pending.size >= this.options.limits.maxPendingPerShard) {
      return Promise.reject(
        new RuntimeError('OVERLOADED', `shard ${index} has ${pending.size} requests in flight`),
      );
    }
    const promise = pending.wait(id);
    cmd.id = id;
    try {
      this.shards[index]!.send(cmd);
    } catch (err) {
      pending.reject(id, err as Error);
    }
    return promise;
  }

  private onShardMessage(index: number, msg: ShardMessage): void {
    switch (msg.t) {
      case 'reply': {
        const pending = this.pending[index]!;
        if (msg.ok) pending.resolve(msg.id, msg.value);
        else pending.reject(msg.id, fromWireError(msg.error));
        return;
      }
      case 'store':
        this.serveStore(index, msg.id, msg.op, msg.args);
        return;
      case 'deltas':
        this.hub.publishDeltas(msg.sessionId, msg.deltas);
        return;
      case 'activity':
        if (msg.active) this.active.add(msg.sessionId);
        else {
          this.active.delete(msg.sessionId);
          // A passivated session should cost nothing on the main thread either: drop the store's cache
          // entry for it (a no-op while the store still has writes of that session in flight).
          if (this.store instanceof LevelEventStore) this.store.evictSession(msg.sessionId);
        }
        return;
      case 'ready':
        return;
    }
  }

  private serveStore(index: number, id: number, op: string, args: unknown[]): void {
    const s = this.publishing as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const fn = s[op];
    const link = this.shards[index]!;
    if (typeof fn !== 'function') {
      const error = new RuntimeError('SESSION', `unknown store op ${op}`);
      link.send({ t: 'storeReply', id, ok: false, error: toWireError(error) });
      return;
    }
    fn.apply(this.publishing, args).then(
      (value) => link.send({ t: 'storeReply', id, ok: true, value }),
      // The worker's side of the store boundary; in-process shards map the same way (ShardRunner).
      (err: unknown) =>
        link.send({ t: 'storeReply', id, ok: false, error: toWireError(runtimeErrorFromStore(err)) }),
    );
  }

  /**
   * A worker died (it is being replaced by its WorkerShard): fail its in-flight commands with SESSION; its
   * sessions are rebuilt from the store on their next command. Subscriber counts are sent again so the
   * new thread knows which sessions are watched.
   */
  private onShardExit(index: number, error: Error): void {
    this.pending[index]!.rejectAll(
      () =>
        new RuntimeError(
          'SESSION',
          `shard ${index} restarted (${error.message}); the command may be retried`,
        ),
    );
    for (const id of [...this.active]) if (this.shardFor(id) === index) this.active.delete(id);
    if (this.shuttingDown) return;
    this.logger.error({ shard: index, err: error }, 'shard died; it is being replaced');
    for (const [sessionId, events, deltas] of this.hub.counts()) {
      if (this.shardFor(sessionId) === index)
        this.shards[index]!.send({ t: 'subscribers', sessionId, events, deltas });
    }
  }

  /**
   * Chaos-testing hook: makes shard `index`'s worker thread die as a real fault would (`'throw'`: an
   * uncaught error; `'exit'`: `process.exit` from inside it). No effect with `shards: 0`.
   */
  debugCrashShard(index: number, how: 'throw' | 'exit' = 'throw'): void {
    this.shards[index]?.send({ t: 'chaos', how });
  }

  /**
   * Chaos-testing hook: the batch that carries shard `index`'s next reply also carries a value the main
   * thread cannot read (`messageerror`), as an over-deep model reply once did. No effect with `shards: 0`.
   */
  debugUnreadableReply(index: number): void {
    this.shards[index]?.send({ t: 'chaos', how: 'unreadableReply' });
  }

  // ---------------------------------------------------------------- helpers

  /** Resolves once the shard has reduced the action and appended its events (with no value). */
  private dispatch(sessionId: string, action: Action): Promise<unknown> {
    return this.request(sessionId, { t: 'dispatch', id: 0, sessionId, action });
  }

  private assertRunning(): void {
    if (this.shuttingDown) throw new RuntimeError('SHUTTING_DOWN', 'the runtime is shutting down');
  }

  private checkId(sessionId: string): void {
    this.assertRunning();
    // What SessionIdArg accepts, checked without zod (every call validates its id); zod for the error.
    if (
      typeof sessionId === 'string' &&
      sessionId.length >= 1 &&
      sessionId.length <= 200 &&
      !sessionId.includes('\0')
    ) {
      return;
    }
    parseArg(SessionIdArg, sessionId, 'sessionId');
  }

  /** For primitives (nothing to copy): checks `value` against `schema`. */
  private checkArg(schema: z.ZodType, value: unknown, name: string): void {
    parseArg(schema, value, name);
  }

  private content(content: string | UserContent[]): UserContent[] {
    // A string is what ContentArg's first branch accepts as is; arrays are validated (and copied) by zod.
    if (typeof content === 'string') {
      checkInputSize(content, this.options.limits.maxInputBytes, 'content');
      return [{ type: 'text', text: content }];
    }
    const data = parseArg(ContentArg, content, 'content');
    checkInputSize(data, this.options.limits.maxInputBytes, 'content');
    return typeof data === 'string' ? [{ type: 'text', text: data }] : data;
  }

  /** An explicit model is validated (and copied); without one the shard uses the session's default model. */
  private model(model: ModelId | undefined): ModelId | undefined {
    if (model === undefined) return undefined;
    return parseArg(ModelIdSchema, model, 'model');
  }

  /** A store call of the runtime's own; its errors are mapped as a shard's are (`runtimeErrorFromStore`). */
  private async storeCall<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw runtimeErrorFromStore(err);
    }
  }
}

function hasContent(items: readonly UserContent[]): boolean {
  for (const c of items) if (c.type !== 'text' || c.text.trim().length > 0) return true;
  return false;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
