import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { StoredEvent } from '@shoal/shared';
import { Runtime, RuntimeError, type RuntimeOptions } from '@shoal/supervisor';
import { describeError } from './counters.js';
import { LoadTestError } from './errors.js';
import { forceGc, mainHeapUsed } from './memory.js';
import type { LoadOptions } from './options.js';
import {
  type ApprovalMemoryInput,
  type EventStream,
  type LoadTarget,
  TargetCallError,
  type TargetMemory,
} from './target.js';

/** The embedded runtime's settings as the run used them (defaults filled in). */
export interface EmbeddedSettings {
  durability: 'fsync' | 'buffered';
  store: 'level' | 'memory';
  dataDir: string;
  dataDirRemoved: boolean;
}

/** Runtime errors become `TargetCallError`s with the same code and kind; anything else is `INTERNAL`. */
async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RuntimeError)
      throw new TargetCallError(err.code, `${what}: ${err.message}`, err.kind, { cause: err });
    throw new TargetCallError('INTERNAL', `${what}: ${describeError(err)}`, undefined, { cause: err });
  }
}

/**
 * A `Runtime` started in this process (a fresh LevelDB in a temp dir by default, fsync, the simulated model),
 * driven through its API. `close` shuts it down and removes the temp dir unless `keep`.
 */
export class EmbeddedTarget implements LoadTarget {
  readonly kind = 'embedded';
  readonly keepsCallOrder = true;
  readonly shards: number;

  private constructor(
    private readonly runtime: Runtime,
    readonly settings: EmbeddedSettings,
    inProcess: boolean,
  ) {
    this.shards = inProcess ? 0 : runtime.shardCount;
  }

  static async start(options: LoadOptions): Promise<EmbeddedTarget> {
    const ownDir = options.dataDir === undefined;
    const dataDir = ownDir ? await mkdtemp(join(tmpdir(), 'shoal-loadtest-')) : resolve(options.dataDir!);
    const settings: EmbeddedSettings = {
      durability: options.durability ?? 'fsync',
      store: options.store ?? 'level',
      dataDir,
      dataDirRemoved: ownDir && !options.keep,
    };
    const simulated: { firstTokenMs?: number; tokensPerSecond?: number } = {};
    if (options.firstTokenMs !== undefined) simulated.firstTokenMs = options.firstTokenMs;
    if (options.tokensPerSecond !== undefined) simulated.tokensPerSecond = options.tokensPerSecond;
    const runtimeOptions: RuntimeOptions = {
      dataDir,
      store: settings.store,
      durability: settings.durability,
      ...(options.shards === undefined ? {} : { shards: options.shards }),
      providers: { simulated },
      logLevel: options.logLevel ?? 'error',
    };
    try {
      return new EmbeddedTarget(await Runtime.start(runtimeOptions), settings, options.shards === 0);
    } catch (err) {
      if (settings.dataDirRemoved) await rm(dataDir, { recursive: true, force: true });
      throw new LoadTestError('RUNTIME_START', `cannot start the runtime: ${describeError(err)}`, {
        cause: err,
      });
    }
  }

  createSession(metadata: Record<string, string>): Promise<string> {
    return call('createSession', () => this.runtime.createSession({ metadata }));
  }

  async subscribe(sessionId: string, afterSeq: number): Promise<EventStream> {
    return call('subscribeEvents', () => this.runtime.subscribeEvents(sessionId, { afterSeq }));
  }

  submitInput(sessionId: string, text: string): Promise<{ opId: string; messageId: string }> {
    return call('submitUserInput', () => this.runtime.submitUserInput(sessionId, text));
  }

  approve(
    sessionId: string,
    requestId: string,
    approved: boolean,
    remember?: ApprovalMemoryInput,
  ): Promise<void> {
    return call('submitToolApproval', () =>
      this.runtime.submitToolApproval(sessionId, requestId, approved, remember),
    );
  }

  cancel(sessionId: string, opId?: string): Promise<void> {
    return call('cancelOperation', () => this.runtime.cancelOperation(sessionId, opId));
  }

  executeBash(sessionId: string, command: string): Promise<string> {
    return call('executeBashCommand', () => this.runtime.executeBashCommand(sessionId, command));
  }

  compact(sessionId: string): Promise<string> {
    return call('compactSession', () => this.runtime.compactSession(sessionId));
  }

  switchAgent(sessionId: string, agentId: string): Promise<void> {
    return call('switchPrimaryAgent', () => this.runtime.switchPrimaryAgent(sessionId, agentId));
  }

  editMessage(sessionId: string, messageId: string, text: string): Promise<string> {
    return call('submitEditedMessage', () => this.runtime.submitEditedMessage(sessionId, messageId, text));
  }

  dequeue(sessionId: string): Promise<void> {
    return call('submitDequeueQueuedItem', () => this.runtime.submitDequeueQueuedItem(sessionId));
  }

  readLog(sessionId: string): Promise<StoredEvent[]> {
    return call('loadEventsAfter', () => this.runtime.loadEventsAfter(sessionId, -1));
  }

  /**
   * Heap used by this thread and the runtime's worker threads, each read on its own thread through the
   * shard's inspection interface. A worker collects its garbage first when node runs with `--expose-gc`
   * (the CLI relaunches itself with it); otherwise its figure includes what it has not collected yet.
   */
  async memory(): Promise<TargetMemory> {
    const main = mainHeapUsed();
    const afterGc = forceGc() !== null;
    if (this.shards === 0) return { heapUsed: main, afterGc };
    const heaps = await call('inspectShard(i).heap', () =>
      Promise.all(
        Array.from({ length: this.runtime.shardCount }, (_, i) =>
          this.runtime.inspectShard(i).heap({ collectGarbage: true }),
        ),
      ),
    );
    return {
      heapUsed: main + heaps.reduce((n, h) => n + h.statistics.used_heap_size, 0),
      afterGc: afterGc && heaps.every((h) => h.collectedGarbage),
    };
  }

  async close(): Promise<void> {
    try {
      await this.runtime.shutdown();
    } finally {
      if (this.settings.dataDirRemoved) await rm(this.settings.dataDir, { recursive: true, force: true });
    }
  }
}
