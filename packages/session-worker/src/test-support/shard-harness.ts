import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type Action,
  type ModelId,
  resolveEffectiveConfig,
  resolveSystemPrompt,
  type SessionConfig,
  type SessionConfigInput,
  type SessionEvent,
  type SessionStateSnapshot,
  type StoredEvent,
  sessionConfigFromInput,
  type WireError,
} from '@shoal/shared';
import { LevelEventStore } from '@shoal/store';
import { pino } from 'pino';
import { afterEach, expect } from 'vitest';
import type { ShardCommand, ShardMessage } from '../protocol/messages.js';
import type { ModelProvider } from '../providers/model-provider.js';
import { ShardRunner } from '../shard/shard-runner.js';
import { DEFAULT_SHARD_LIMITS, type ShardRunnerOptions } from '../shard/shard-runner-options.js';
import { TEST_DEADLINE_MS, waitUntil } from './async.js';
import { ProviderDouble } from './provider-double.js';
import { RecordingStore } from './recording-store.js';

export type Reply = Extract<ShardMessage, { t: 'reply' }>;
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
export type ShardRequest = WithoutId<Exclude<Extract<ShardCommand, { id: number }>, { t: 'storeReply' }>>;

/** What the Runtime records for a new session (spec §8.2 CreateSession 3-5). */
export function sessionConfig(workspacePath: string, input: SessionConfigInput = {}): SessionConfig {
  const base = sessionConfigFromInput(input, { workspacePath });
  const config = resolveEffectiveConfig(base);
  config.systemPrompt = resolveSystemPrompt(config);
  return config;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export interface HarnessOptions {
  runner?: Partial<ShardRunnerOptions>;
  /** extra providers besides the default `ProviderDouble` (id `double`) */
  providers?: ModelProvider[];
  provider?: ProviderDouble;
}

/**
 * A ShardRunner driven through its real protocol, on a real LevelDB in a temp dir (buffered durability),
 * with a `ProviderDouble` injected and a `RecordingStore` in front of the database.
 */
export class ShardHarness {
  readonly messages: ShardMessage[] = [];
  readonly model: ModelId;
  private nextId = 1;
  private readonly waiting = new Map<number, (r: Reply) => void>();

  private constructor(
    readonly dir: string,
    readonly workspace: string,
    readonly store: LevelEventStore,
    readonly recorder: RecordingStore,
    readonly provider: ProviderDouble,
    private readonly options: ShardRunnerOptions,
    private readonly providers: ModelProvider[],
  ) {
    this.model = { provider: provider.id, id: 'model-1' };
    this.runner = this.newRunner();
  }

  /** The runner under test; `restart` replaces it. */
  runner: ShardRunner;

  private newRunner(): ShardRunner {
    return new ShardRunner((m) => this.onMessage(m), this.options, this.recorder, pino({ level: 'silent' }), [
      this.provider,
      ...this.providers,
    ]);
  }

  static async start(opts: HarnessOptions = {}): Promise<ShardHarness> {
    const dir = await realpath(await mkdtemp(path.join(tmpdir(), 'shoal-sw-')));
    const workspace = path.join(dir, 'ws');
    await mkdir(workspace);
    const store = await LevelEventStore.open(path.join(dir, 'db'), { durability: 'buffered' });
    const options: ShardRunnerOptions = {
      shardIndex: 0,
      dataDir: dir,
      providers: {},
      logLevel: 'silent',
      idleTimeoutMs: 0,
      ...DEFAULT_SHARD_LIMITS,
      ...opts.runner,
    };
    return new ShardHarness(
      dir,
      workspace,
      store,
      new RecordingStore(store),
      opts.provider ?? new ProviderDouble(),
      options,
      opts.providers ?? [],
    );
  }

  /** Shuts the runner down (as a process exit would stop it) and starts a fresh one on the same store. */
  restart(): ShardRunner {
    this.runner.shutdown();
    this.runner = this.newRunner();
    return this.runner;
  }

  private onMessage(m: ShardMessage): void {
    this.messages.push(m);
    if (m.t === 'reply') {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      w?.(m);
    }
  }

  /** Sends a command (a fresh id is assigned) and resolves with its reply, whatever it says. */
  request(cmd: ShardRequest): Promise<Reply> {
    const id = this.nextId++;
    const reply = new Promise<Reply>((resolve) => this.waiting.set(id, resolve));
    this.runner.handle({ ...cmd, id } as ShardCommand);
    return reply;
  }

  config(input: SessionConfigInput = {}): SessionConfig {
    return sessionConfig(this.workspace, { defaultModel: this.model, ...input });
  }

  async create(input: SessionConfigInput = {}, sessionId: string = randomUUID()): Promise<string> {
    const config = this.config(input);
    expectOk(
      await this.request({ t: 'create', sessionId, config, metadata: config.metadata }),
      `create ${sessionId}`,
    );
    return sessionId;
  }

  dispatch(sessionId: string, action: Action): Promise<Reply> {
    return this.request({ t: 'dispatch', sessionId, action });
  }

  /** A `UserInput` action for the session (not sent). */
  userInput(sessionId: string, text: string): Extract<Action, { type: 'UserInput' }> {
    return {
      type: 'UserInput',
      sessionId,
      content: [{ type: 'text', text }],
      opId: `op_${randomUUID()}`,
      messageId: `msg_${randomUUID()}`,
      model: this.model,
      timestamp: nowSeconds(),
    };
  }

  async getState(sessionId: string): Promise<SessionStateSnapshot> {
    return expectOk(await this.request({ t: 'getState', sessionId }), 'getState') as SessionStateSnapshot;
  }

  /** What is durable in LevelDB for the session. */
  async stored(sessionId: string): Promise<StoredEvent[]> {
    return this.store.loadEvents(sessionId);
  }

  async storedEvents(sessionId: string): Promise<SessionEvent[]> {
    return (await this.stored(sessionId)).map((s) => s.event);
  }

  waitForEvent<T extends SessionEvent['type']>(
    sessionId: string,
    type: T,
    pred?: (e: Extract<SessionEvent, { type: T }>) => boolean,
    timeoutMs?: number,
  ): Promise<Extract<SessionEvent, { type: T }>> {
    return this.recorder.waitForEvent(sessionId, type, pred, timeoutMs);
  }

  async waitForMessage<M extends ShardMessage>(
    pred: (m: ShardMessage) => m is M,
    what: string,
    timeoutMs = TEST_DEADLINE_MS,
  ): Promise<M> {
    await waitUntil(() => this.messages.some(pred), what, timeoutMs);
    return this.messages.find(pred) as M;
  }

  async close(): Promise<void> {
    this.runner.shutdown();
    await this.store.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Starts harnesses that are shut down and removed after each test. */
export function useShardHarness(): (opts?: HarnessOptions) => Promise<ShardHarness> {
  const started: ShardHarness[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((h) => h.close()));
  });
  return async (opts) => {
    const h = await ShardHarness.start(opts);
    started.push(h);
    return h;
  };
}

export function expectOk(reply: Reply, what = 'command'): unknown {
  if (!reply.ok) throw new Error(`${what} failed: ${reply.error.code} ${reply.error.message}`);
  return reply.value;
}

export function expectError(reply: Reply): WireError {
  expect(reply.ok).toBe(false);
  if (reply.ok) throw new Error('expected an error reply');
  return reply.error;
}
