import {
  type Action,
  createLogger,
  filterToolsByVisibility,
  type LogLevel,
  RuntimeError,
  type SessionStateSnapshot,
  systemDeps,
  type ToolSchema,
  type ToolVisibility,
  toWireError,
} from '@shoal/shared';
import type { Logger } from 'pino';
import { type ActorCommand, type ActorEnv, type Boot, SessionActor } from '../actor/session-actor.js';
import { BatchingDeltaSink } from '../effects/delta-sink.js';
import { EffectInterpreter, type InterpreterEnv } from '../effects/effect-interpreter.js';
import type { ShardMessageMemo } from '../protocol/delivery.js';
import type { ResidentSession } from '../protocol/inspection.js';
import type { ShardCommand, ShardMessage } from '../protocol/messages.js';
import type { ModelProvider } from '../providers/model-provider.js';
import { ProviderRegistry } from '../providers/registry.js';
import { PortStoreClient } from '../store-client/port-store-client.js';
import type { ShardStore } from '../store-client/shard-store.js';
import { mappingStoreErrors } from '../store-client/store-failure.js';
import { builtinTools } from '../tools/builtin-tools.js';
import type { ToolTaskRunner } from '../tools/pool/tool-task.js';
import { SpawnHelper } from '../tools/spawn/spawn-helper.js';
import { ToolExecutor } from '../tools/tool-executor.js';
import { DEFAULT_SHARD_LIMITS, type ShardRunnerOptions } from './shard-runner-options.js';

interface Subscribers {
  events: number;
  deltas: number;
}

/**
 * Hosts many session actors on one thread: a worker thread (`shards > 0`) or the caller's thread
 * (`shards: 0`). It speaks only the plain-data protocol of `protocol/messages.ts`, so it runs unchanged
 * in both places. It resumes sessions on demand, hands commands to their actors in arrival order,
 * passivates idle sessions, and refuses work with OVERLOADED when its bounded queues are full.
 */
export class ShardRunner {
  private readonly actors = new Map<string, SessionActor>();
  private readonly subscribers = new Map<string, Subscribers>();
  private readonly logger: Logger;
  private readonly storeClient: PortStoreClient | undefined;
  private readonly store: ShardStore;
  private readonly deltas: BatchingDeltaSink;
  private readonly actorEnv: ActorEnv;
  private readonly interpreterEnv: InterpreterEnv;
  private readonly toolsByVisibility = new Map<string, ToolSchema[]>();
  /** runs the shard's `bash` commands, so their forks neither copy nor block this thread (spawn-helper.ts) */
  private readonly spawner: SpawnHelper;
  private pendingTotal = 0;
  /** the session whose actor `evict` is stopping right now (its queued commands are refused) */
  private evicting: string | undefined;
  private shuttingDown = false;
  private readonly idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly post: (msg: ShardMessage) => void,
    private readonly options: ShardRunnerOptions,
    store?: ShardStore,
    logger?: Logger,
    /** in-process only (never sent over a port): extra providers, e.g. test doubles; see ProviderRegistry */
    extraProviders: readonly ModelProvider[] = [],
    /** where grep/glob work runs: the process's tool pool (a port to it on a worker thread); default: shared */
    toolPool?: ToolTaskRunner,
  ) {
    this.logger = logger ?? createLogger(options.logLevel, { shard: options.shardIndex });
    this.spawner = new SpawnHelper(this.logger);
    // In-process, store errors become RuntimeErrors here; a worker's arrive mapped by the main thread.
    if (store) this.store = mappingStoreErrors(store);
    else {
      this.storeClient = new PortStoreClient(post);
      this.store = this.storeClient;
    }
    this.deltas = new BatchingDeltaSink((sessionId, deltas) => this.post({ t: 'deltas', sessionId, deltas }));
    this.interpreterEnv = {
      providers: new ProviderRegistry(options.providers, extraProviders),
      tools: new ToolExecutor(
        builtinTools({ bash: { launcher: this.spawner.launch }, ...(toolPool ? { pool: toolPool } : {}) }),
      ),
      deps: systemDeps,
      deltas: this.deltas,
      visibleTools: (visibility) => this.visibleTools(visibility),
      limits: {
        maxMessageBytes: options.maxMessageBytes ?? DEFAULT_SHARD_LIMITS.maxMessageBytes,
        maxToolOutputBytes: options.maxToolOutputBytes ?? DEFAULT_SHARD_LIMITS.maxToolOutputBytes,
      },
    };
    this.actorEnv = {
      store: this.store,
      deps: systemDeps,
      logger: this.logger,
      snapshotEveryEvents: options.snapshotEveryEvents,
      maxEventBytes: options.maxEventBytes ?? DEFAULT_SHARD_LIMITS.maxEventBytes,
      queueLimits: {
        maxQueuedInputs: options.maxQueuedInputs ?? DEFAULT_SHARD_LIMITS.maxQueuedInputs,
        maxQueuedBytes: options.maxQueuedBytes ?? DEFAULT_SHARD_LIMITS.maxQueuedBytes,
      },
      createInterpreter: (actor) => new EffectInterpreter(actor, this.interpreterEnv),
      onStarted: (actor) => this.post({ t: 'activity', sessionId: actor.sessionId, active: true }),
      onStopped: (actor, leftovers) => this.onActorStopped(actor, leftovers),
    };
    if (options.idleTimeoutMs > 0 && Number.isFinite(options.idleTimeoutMs)) {
      const every = Math.max(10, Math.min(options.idleTimeoutMs / 2, 10_000));
      this.idleTimer = setInterval(() => this.passivateIdle(), every);
      this.idleTimer.unref();
    }
  }

  get residentSessions(): number {
    return this.actors.size;
  }

  // What the shard's inspector reads and changes (shard-inspector.ts); off the command path.

  get shardIndex(): number {
    return this.options.shardIndex;
  }

  /** commands accepted and not yet answered, across all sessions */
  get pendingCommands(): number {
    return this.pendingTotal;
  }

  /** store calls posted to the main thread and not yet answered (0 in-process: the store is called directly) */
  get pendingStoreCalls(): number {
    return this.storeClient?.pendingCalls ?? 0;
  }

  /** sessions with at least one event or delta subscriber */
  get watchedSessions(): number {
    return this.subscribers.size;
  }

  get logLevel(): LogLevel {
    return this.logger.level as LogLevel;
  }

  /** Session loggers are children made without a level of their own, so they follow this one. */
  setLogLevel(level: LogLevel): void {
    this.logger.level = level;
  }

  residents(): ResidentSession[] {
    const out: ResidentSession[] = [];
    for (const [sessionId, actor] of this.actors) {
      const s = this.subscribers.get(sessionId);
      out.push({
        sessionId,
        pendingCommands: actor.pendingCommands,
        busy: actor.isBusy,
        lastActivityMs: actor.lastActivityMs,
        subscribers: { events: s?.events ?? 0, deltas: s?.deltas ?? 0 },
      });
    }
    return out;
  }

  handle(cmd: ShardCommand): void {
    switch (cmd.t) {
      case 'init':
      case 'lost': // answered by the worker entry, which owns the port's batcher
        return;
      case 'lostUnknown':
        this.storeClient?.failAll(() => lostError('a store reply'));
        return;
      case 'storeReply':
        this.storeClient?.settle(
          cmd.id,
          cmd.ok,
          cmd.ok ? cmd.value : undefined,
          cmd.ok ? undefined : cmd.error,
        );
        return;
      case 'subscribers':
        this.setSubscribers(cmd.sessionId, { events: cmd.events, deltas: cmd.deltas });
        return;
      case 'create': {
        if (this.refuse(cmd.id)) return;
        if (this.actors.has(cmd.sessionId)) {
          this.replyError(
            cmd.id,
            new RuntimeError('SESSION_ALREADY_EXISTS', `session ${cmd.sessionId} already exists`),
          );
          return;
        }
        const actor = this.spawn(cmd.sessionId, {
          type: 'create',
          config: cmd.config,
          metadata: cmd.metadata,
        });
        this.submit(cmd.id, actor, 'ping');
        return;
      }
      case 'dispatch':
        if (this.refuse(cmd.id)) return;
        this.submit(cmd.id, this.actorFor(cmd.sessionId), 'dispatch', cmd.action);
        return;
      case 'getState':
        if (this.refuse(cmd.id)) return;
        this.submit(cmd.id, this.actorFor(cmd.sessionId), 'getState');
        return;
      case 'ensureActive':
        if (this.refuse(cmd.id)) return;
        this.submit(cmd.id, this.actorFor(cmd.sessionId), 'ping');
        return;
      case 'suspend': {
        const actor = this.actors.get(cmd.sessionId);
        if (!actor) this.reply(cmd.id, undefined);
        else this.submit(cmd.id, actor, 'suspend');
        return;
      }
      case 'evict': {
        const actor = this.actors.get(cmd.sessionId);
        if (actor) {
          this.actors.delete(cmd.sessionId);
          this.evicting = cmd.sessionId;
          try {
            actor.stop();
          } finally {
            this.evicting = undefined;
          }
        }
        this.reply(cmd.id, undefined);
        return;
      }
      case 'shutdown':
        this.shutdown();
        this.reply(cmd.id, undefined);
        return;
    }
  }

  /** Stop every actor, cancelling its running work (spec §7.5 Shutdown). */
  shutdown(): void {
    this.shuttingDown = true;
    if (this.idleTimer) clearInterval(this.idleTimer);
    for (const actor of [...this.actors.values()]) actor.stop();
    this.actors.clear();
    this.spawner.close();
  }

  private refuse(id: number): boolean {
    if (this.shuttingDown) {
      this.replyError(id, new RuntimeError('SHUTTING_DOWN', 'the runtime is shutting down'));
      return true;
    }
    if (this.pendingTotal >= this.options.maxPendingPerShard) {
      this.replyError(
        id,
        new RuntimeError(
          'OVERLOADED',
          `shard ${this.options.shardIndex} has ${this.pendingTotal} commands queued`,
        ),
      );
      return true;
    }
    return false;
  }

  private actorFor(sessionId: string): SessionActor {
    return this.actors.get(sessionId) ?? this.spawn(sessionId, { type: 'resume' });
  }

  private spawn(sessionId: string, boot: Boot): SessionActor {
    const actor = new SessionActor(sessionId, this.actorEnv, boot);
    this.actors.set(sessionId, actor);
    return actor;
  }

  private submit(id: number, actor: SessionActor, kind: ActorCommand['kind'], action?: Action): void {
    if (actor.pendingCommands >= this.options.maxPendingPerSession) {
      this.replyError(
        id,
        new RuntimeError(
          'OVERLOADED',
          `session ${actor.sessionId} has ${actor.pendingCommands} commands queued`,
        ),
      );
      return;
    }
    this.pendingTotal++;
    const resolve = (value: SessionStateSnapshot | undefined) => {
      this.pendingTotal--;
      this.reply(id, value);
    };
    const reject = (err: Error) => {
      this.pendingTotal--;
      this.replyError(id, err);
    };
    const cmd = (
      kind === 'dispatch' ? { kind, action: action!, resolve, reject } : { kind, resolve, reject }
    ) as ActorCommand;
    actor.enqueue(cmd);
  }

  private onActorStopped(actor: SessionActor, leftovers: ActorCommand[]): void {
    if (this.actors.get(actor.sessionId) === actor) {
      this.actors.delete(actor.sessionId);
      this.post({ t: 'activity', sessionId: actor.sessionId, active: false });
    }
    if (leftovers.length === 0) return;
    if (this.evicting === actor.sessionId) {
      // The session is being deleted: what was queued behind it must not resume it.
      for (const c of leftovers)
        c.reject(new RuntimeError('SESSION_NOT_FOUND', `session ${actor.sessionId} was deleted`));
      return;
    }
    if (this.shuttingDown) {
      for (const c of leftovers) c.reject(new RuntimeError('SHUTTING_DOWN', 'the runtime is shutting down'));
      return;
    }
    // Commands queued behind a suspend (or behind a failure) go to a fresh actor, in order; it resumes
    // from the store after the old actor's last append.
    const next = this.actorFor(actor.sessionId);
    for (const c of leftovers) next.enqueue(c);
  }

  /** One shared, frozen array per distinct visibility: sessions with the same tools share it. */
  private visibleTools(visibility: ToolVisibility | undefined): ToolSchema[] {
    const key = visibility ? JSON.stringify(visibility) : '';
    let tools = this.toolsByVisibility.get(key);
    if (!tools) {
      const all = this.interpreterEnv.tools.schemas();
      tools = Object.freeze(visibility ? filterToolsByVisibility(visibility, all) : all) as ToolSchema[];
      if (this.toolsByVisibility.size < 256) this.toolsByVisibility.set(key, tools);
    }
    return tools;
  }

  private setSubscribers(sessionId: string, s: Subscribers): void {
    if (s.events === 0 && s.deltas === 0) this.subscribers.delete(sessionId);
    else this.subscribers.set(sessionId, s);
    this.deltas.setListeners(sessionId, s.deltas);
  }

  /** Suspend sessions idle for `idleTimeoutMs` with nobody subscribed, to keep memory bounded. */
  private passivateIdle(): void {
    const cutoff = Date.now() - this.options.idleTimeoutMs;
    for (const actor of this.actors.values()) {
      if (actor.lastActivityMs > cutoff || actor.isBusy || this.subscribers.has(actor.sessionId)) continue;
      actor.enqueue({
        kind: 'suspend',
        resolve: () => undefined,
        reject: (err) => this.logger.warn({ err, sessionId: actor.sessionId }, 'idle suspend failed'),
      });
    }
  }

  /**
   * A message the port refused to post (not cloneable, too deep): fail what it carried, so nobody waits
   * for it. Only a worker's port can refuse; an in-process host passes messages by reference.
   */
  undeliverable(msg: ShardMessage, err: Error): void {
    switch (msg.t) {
      case 'reply':
        this.logger.error({ err, id: msg.id }, 'a reply could not be posted; the request fails instead');
        this.replyError(
          msg.id,
          new RuntimeError('CHANNEL_CLOSED', `the shard could not send its reply: ${err.message}`),
        );
        return;
      case 'store':
        this.logger.error({ err, op: msg.op }, 'a store call could not be posted; it fails');
        this.storeClient?.fail(
          msg.id,
          new RuntimeError('CHANNEL_CLOSED', `the store call could not be sent: ${err.message}`),
        );
        return;
      default:
        this.logger.error({ err, message: msg.t }, 'a message could not be posted; it is dropped');
    }
  }

  /**
   * The main thread could not read one of this shard's posts: fail the requests and store calls it carried
   * and send activity again; `memos` undefined means it is no longer known what the post carried, so every
   * store call waiting fails and the main thread fails every request in flight.
   */
  recoverLost(memos: readonly ShardMessageMemo[] | undefined): void {
    if (memos === undefined) {
      this.logger.error('a post the main thread could not read is no longer known; failing all waits');
      this.storeClient?.failAll(() => lostError('a store call'));
      this.post({ t: 'lostUnknown' });
      return;
    }
    this.logger.error({ lost: memos.length }, 'the main thread could not read a post; failing what it held');
    for (const m of memos) {
      if (m.t === 'reply') this.replyError(m.id, lostError('the reply'));
      else if (m.t === 'store') this.storeClient?.fail(m.id, lostError('a store call'));
      else this.post({ t: 'activity', sessionId: m.sessionId, active: this.actors.has(m.sessionId) });
    }
  }

  private reply(id: number, value: unknown): void {
    this.post({ t: 'reply', id, ok: true, value });
  }

  private replyError(id: number, err: unknown): void {
    // Anything but a RuntimeError is a defect of the shard: it reaches the caller as SESSION, logged here.
    if (!(err instanceof RuntimeError)) this.logger.error({ err, id }, 'a request failed unexpectedly');
    this.post({ t: 'reply', id, ok: false, error: toWireError(err) });
  }
}

/** A request or store call the channel between the threads dropped: CHANNEL_CLOSED; it may be retried. */
function lostError(what: string): RuntimeError {
  return new RuntimeError(
    'CHANNEL_CLOSED',
    `${what} was lost between the threads (the other side could not read it); the command may be retried`,
  );
}
