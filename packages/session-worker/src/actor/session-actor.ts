import {
  type Action,
  type AppState,
  cancelForSuspend,
  DEFAULT_MODEL,
  InvalidActionError,
  type ReduceResult,
  RuntimeError,
  reduce,
  type SessionConfig,
  type SessionEvent,
  type SessionStateSnapshot,
  stateToDurable,
  toSessionStateSnapshot,
} from '@shoal/shared';
import type { Logger } from 'pino';
import type { EffectInterpreter } from '../effects/effect-interpreter.js';
import { oversizedEvent, type QueueLimits, queueRefusal } from '../limits/event-limits.js';
import { DEFAULT_SHARD_LIMITS } from '../shard/shard-runner-options.js';
import { Fifo } from './fifo.js';
import { createState, type ResumeEnv, resumeState } from './session-boot.js';

const RESOLVED: Promise<void> = Promise.resolve();

const DEFAULT_QUEUE_LIMITS: QueueLimits = {
  maxQueuedInputs: DEFAULT_SHARD_LIMITS.maxQueuedInputs,
  maxQueuedBytes: DEFAULT_SHARD_LIMITS.maxQueuedBytes,
};

export type ActorCommand =
  | { kind: 'dispatch'; action: Action; resolve: (v: undefined) => void; reject: (e: Error) => void }
  | { kind: 'getState'; resolve: (s: SessionStateSnapshot) => void; reject: (e: Error) => void }
  | { kind: 'suspend'; resolve: (v: undefined) => void; reject: (e: Error) => void }
  // resolves once the actor has booted and handled everything queued before it (create/resume replies)
  | { kind: 'ping'; resolve: (v: undefined) => void; reject: (e: Error) => void };

export type Boot =
  | { type: 'create'; config: SessionConfig; metadata: Record<string, string> }
  | { type: 'resume' };

export interface ActorEnv extends ResumeEnv {
  readonly logger: Logger;
  readonly snapshotEveryEvents: number;
  /** an event larger than this is never appended (default DEFAULT_SHARD_LIMITS.maxEventBytes) */
  readonly maxEventBytes?: number;
  /** how a busy session's queue is bounded (default: DEFAULT_SHARD_LIMITS) */
  readonly queueLimits?: QueueLimits;
  createInterpreter(actor: SessionActor): EffectInterpreter;
  /** the actor stopped (suspended or failed); commands it had not started are handed back, in order */
  onStopped(actor: SessionActor, leftovers: ActorCommand[]): void;
  /** the actor finished booting and holds a live session */
  onStarted(actor: SessionActor): void;
}

/**
 * One live session (spec §7). A mailbox processes one command at a time in arrival order; internal
 * actions (model and tool results) interleave with commands, commands first (§7.3). The internal queue is
 * unbounded, so effects never wait on the actor's own queue (fixes the self-deadlock of §11.18).
 *
 * One reduce call's events are appended as one atomic batch guarded by `expectedNextSeq` (deliberate
 * change 9); only then do its effects start and its reply go out.
 */
export class SessionActor {
  private readonly commands = new Fifo<ActorCommand>();
  private readonly internal = new Fifo<Action>();
  private running = false;
  private stopped = false;
  private booted = false;
  private state: AppState | undefined;
  private nextSeq = 0;
  private lastSnapshotSeq = -1;
  private interpreter: EffectInterpreter | undefined;
  lastActivityMs = Date.now();
  private sessionLogger: Logger | undefined;

  constructor(
    readonly sessionId: string,
    private readonly env: ActorEnv,
    private boot: Boot | undefined,
  ) {}

  /** The session's child logger, made on first use: most sessions never log, and loggers cost memory. */
  get logger(): Logger {
    this.sessionLogger ??= this.env.logger.child({ sessionId: this.sessionId });
    return this.sessionLogger;
  }

  get pendingCommands(): number {
    return this.commands.length;
  }

  /** true while an operation runs or work is queued: such a session is never passivated for idleness */
  get isBusy(): boolean {
    return (
      this.running ||
      this.commands.length > 0 ||
      this.internal.length > 0 ||
      this.state?.currentOperation != null
    );
  }

  enqueue(cmd: ActorCommand): void {
    if (this.stopped) {
      // The host hands commands to a fresh actor once this one reports it stopped; reaching here means
      // the host raced with a stop, so give the command back instead of dropping it.
      this.env.onStopped(this, [cmd]);
      return;
    }
    this.commands.push(cmd);
    this.lastActivityMs = Date.now();
    this.schedule();
  }

  /** Internal actions from effects (model/tool results, title, compaction). Never blocks (§11.18). */
  post(action: Action): void {
    if (this.stopped) return; // results of work from a stopped actor are dropped (spec §7.2 Suspend)
    this.internal.push(action);
    this.schedule();
  }

  /** The live state, read by the effect interpreter when an effect captures it (spec §5.5). */
  get appState(): AppState {
    if (!this.state) throw new RuntimeError('SESSION', `session ${this.sessionId} is not started`);
    return this.state;
  }

  private schedule(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void Promise.resolve().then(() => this.pump());
  }

  /** spec §7.3: one message at a time, commands before internal actions. */
  private async pump(): Promise<void> {
    try {
      if (!this.booted) {
        if (!(await this.runBoot())) return;
      }
      while (!this.stopped) {
        const cmd = this.commands.shift();
        if (cmd !== undefined) {
          await this.runCommand(cmd);
          continue;
        }
        const action = this.internal.shift();
        if (action === undefined) break;
        try {
          await this.step(action);
        } catch (err) {
          // spec §7.3: errors of internal actions are logged, not returned to anyone.
          this.logger.error({ err, action: action.type }, 'internal action failed');
        }
      }
    } finally {
      this.running = false;
    }
    // Work may have arrived while the last step was finishing.
    if (!this.stopped && (this.commands.length > 0 || this.internal.length > 0)) this.schedule();
  }

  private async runBoot(): Promise<boolean> {
    const boot = this.boot;
    this.boot = undefined;
    try {
      const booted =
        boot?.type === 'create'
          ? await createState(this.env, this.sessionId, boot.config, boot.metadata)
          : await resumeState(this.env, this.sessionId, () => this.logger);
      this.state = booted.state;
      this.nextSeq = booted.nextSeq;
      this.lastSnapshotSeq = booted.snapshotSeq;
      this.interpreter = this.env.createInterpreter(this);
      this.booted = true;
      // spec §7.3 startup: the tool schemas the model may use, filtered by visibility.
      this.reduceAndRun(this.interpreter.initialToolSchemasAction());
      this.env.onStarted(this);
      // spec §8.2: a resumed session drains its queue; the drain's events are appended before any command.
      if (booted.drainQueue) await this.step({ type: 'DrainQueuedWork', sessionId: this.sessionId });
      return true;
    } catch (err) {
      // An unknown id is a client error, not an operational problem.
      if (err instanceof RuntimeError && err.code === 'SESSION_NOT_FOUND')
        this.logger.debug('session not found');
      else this.logger.warn({ err }, 'session failed to start');
      const leftovers = this.commands.drain();
      this.stopped = true;
      for (const c of leftovers)
        c.reject(err instanceof Error ? err : new RuntimeError('SESSION', String(err)));
      this.env.onStopped(this, []);
      return false;
    }
  }

  /**
   * Runs one command, answering its caller. Not `async`, nor are `step` and `persist`: the promise chain
   * suspends only `pump` across an append (each nested async frame would cost a promise and a suspended
   * context per session and step).
   */
  private runCommand(cmd: ActorCommand): Promise<void> {
    this.lastActivityMs = Date.now();
    switch (cmd.kind) {
      case 'dispatch': {
        const refused = queueRefusal(this.appState, cmd.action, this.queueLimits);
        if (refused !== undefined) {
          cmd.reject(refused);
          return RESOLVED;
        }
        return this.step(cmd.action).then(
          () => cmd.resolve(undefined),
          (err: unknown) => cmd.reject(err as Error),
        );
      }
      case 'getState': {
        const snapshot = toSessionStateSnapshot(this.appState);
        snapshot.eventSequence = this.nextSeq;
        cmd.resolve(snapshot);
        return RESOLVED;
      }
      case 'ping':
        cmd.resolve(undefined);
        return RESOLVED;
      case 'suspend':
        return this.suspend().then(
          () => cmd.resolve(undefined),
          (err: unknown) => cmd.reject(err as Error),
        );
    }
  }

  /** Reduce, append the events atomically, then start the effects. */
  private step(action: Action): Promise<void> {
    let result: ReduceResult;
    try {
      result = this.reduceOnly(action);
    } catch (err) {
      return Promise.reject(err);
    }
    if (result.events.length === 0) {
      this.runEffects(result);
      return RESOLVED;
    }
    return this.persist(result.events).then(() => this.runEffects(result));
  }

  private reduceAndRun(action: Action): void {
    const result = this.reduceOnly(action);
    if (result.events.length > 0) {
      throw new RuntimeError('SESSION', `${action.type} emitted events where none were expected`);
    }
    this.runEffects(result);
  }

  private reduceOnly(action: Action): ReduceResult {
    fillDefaultModel(action, this.appState);
    try {
      return reduce(this.appState, action, this.env.deps);
    } catch (err) {
      if (err instanceof InvalidActionError) {
        throw new RuntimeError('INVALID_INPUT', err.message, err.kind, undefined, { cause: err });
      }
      // The reducer mutates in place; after an unexpected throw its state cannot be trusted.
      this.fail(err);
      throw new RuntimeError(
        'SESSION',
        `reducer failed on ${action.type}: ${(err as Error).message}`,
        undefined,
        undefined,
        {
          cause: err,
        },
      );
    }
  }

  private persist(events: SessionEvent[]): Promise<void> {
    const expectedNextSeq = this.nextSeq;
    // The reducer already changed the live state; if the log did not, stop this actor so the next command
    // rebuilds the session from what is durable (spec §5: state is not rolled back).
    const failed = (err: unknown): never => {
      this.fail(err);
      throw err;
    };
    try {
      this.checkEventSizes(events);
    } catch (err) {
      this.fail(err);
      return Promise.reject(err);
    }
    return this.env.store
      .append(this.sessionId, events, { expectedNextSeq })
      .then(() => this.appended(events, expectedNextSeq), failed);
  }

  /** Throws for an event over `maxEventBytes`: like a failed append, the actor is then rebuilt from the log. */
  private checkEventSizes(events: readonly SessionEvent[]): void {
    const err = oversizedEvent(events, this.env.maxEventBytes ?? DEFAULT_SHARD_LIMITS.maxEventBytes);
    if (err !== undefined) throw err;
  }

  private get queueLimits(): QueueLimits {
    return this.env.queueLimits ?? DEFAULT_QUEUE_LIMITS;
  }

  /** `events` were appended from `expectedNextSeq` on. */
  private appended(events: SessionEvent[], expectedNextSeq: number): void {
    this.nextSeq = expectedNextSeq + events.length;
    this.interpreter!.observeEvents(events);
  }

  private runEffects(result: ReduceResult): void {
    if (this.stopped) return; // stopped while its append was in flight: start nothing that nobody can cancel
    const interpreter = this.interpreter!;
    for (const effect of result.effects) interpreter.run(effect);
  }

  /** spec §7.2 Suspend, with deliberate change 10: a busy session's running work is cancelled first. */
  private async suspend(): Promise<void> {
    const state = this.appState;
    if (state.currentOperation) {
      const result = cancelForSuspend(state, this.env.deps);
      if (result.events.length > 0) await this.persist(result.events);
    }
    this.interpreter?.abortAll();
    const seq = this.nextSeq - 1;
    if (seq >= 0 && seq - this.lastSnapshotSeq >= this.env.snapshotEveryEvents) {
      try {
        await this.env.store.saveSnapshot(this.sessionId, seq, stateToDurable(state));
      } catch (err) {
        // A snapshot is an optimisation: resume still works from the full log.
        this.logger.warn({ err }, 'snapshot write failed');
      }
    }
    this.stop();
  }

  /** Stops the actor, aborting its running work, and hands back the commands it had not started. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.interpreter?.abortAll();
    this.env.onStopped(this, this.commands.drain());
  }

  private fail(err: unknown): void {
    this.logger.error({ err }, 'session actor failed; it will be rebuilt from the store');
    this.stop();
  }
}

/** The runtime's helpers leave `model` out when the caller gave none: use the session's default model. */
function fillDefaultModel(action: Action, state: AppState): void {
  if (
    (action.type === 'UserInput' ||
      action.type === 'UserEditedMessage' ||
      action.type === 'RequestCompaction') &&
    action.model === undefined
  ) {
    action.model = state.sessionConfig?.defaultModel ?? { ...DEFAULT_MODEL };
  }
}
