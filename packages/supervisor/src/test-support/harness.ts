import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionEvent, StoredEvent } from '@shoal/shared';
import type { EventSubscription } from '../events/event-subscription.js';
import type { RuntimeOptions } from '../options/runtime-options.js';
import { Runtime } from '../runtime.js';

export async function tempDir(prefix = 'shoal-rt-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export interface Harness {
  runtime: Runtime;
  dataDir: string;
  close(): Promise<void>;
}

/** A runtime on a real LevelDB in a fresh temp dir (buffered durability keeps tests quick). */
export async function startRuntime(opts: RuntimeOptions = {}): Promise<Harness> {
  const dataDir = opts.dataDir ?? (await tempDir());
  const runtime = await Runtime.start({
    logLevel: 'silent',
    durability: 'buffered',
    shards: 0,
    ...opts,
    dataDir,
  });
  return {
    runtime,
    dataDir,
    async close() {
      await runtime.shutdown();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Collects a subscription's events in the background and lets a test wait for one that matches. */
export class EventLog {
  readonly events: StoredEvent[] = [];
  private waiters: { pred: (e: StoredEvent) => boolean; resolve: (e: StoredEvent) => void }[] = [];
  private readonly done: Promise<void>;

  constructor(readonly sub: EventSubscription) {
    this.done = (async () => {
      for await (const e of sub) {
        this.events.push(e);
        this.waiters = this.waiters.filter((w) => {
          if (!w.pred(e)) return true;
          w.resolve(e);
          return false;
        });
      }
    })();
  }

  static async open(runtime: Runtime, sessionId: string, afterSeq?: number): Promise<EventLog> {
    return new EventLog(
      await runtime.subscribeEvents(sessionId, afterSeq === undefined ? undefined : { afterSeq }),
    );
  }

  /** Resolves with the first event (already seen or future) of that type matching `pred`. */
  waitFor<T extends SessionEvent['type']>(
    type: T,
    pred: (e: Extract<SessionEvent, { type: T }>) => boolean = () => true,
    timeoutMs = 60_000,
  ): Promise<Extract<SessionEvent, { type: T }>> {
    const match = (s: StoredEvent) =>
      s.event.type === type && pred(s.event as Extract<SessionEvent, { type: T }>);
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen.event as Extract<SessionEvent, { type: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${type}; saw ${this.types().join(', ')}`)),
        timeoutMs,
      );
      this.waiters.push({
        pred: match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e.event as Extract<SessionEvent, { type: T }>);
        },
      });
    });
  }

  types(): string[] {
    return this.events.map((e) => e.event.type);
  }

  of<T extends SessionEvent['type']>(type: T): Extract<SessionEvent, { type: T }>[] {
    return this.events
      .filter((e) => e.event.type === type)
      .map((e) => e.event as Extract<SessionEvent, { type: T }>);
  }

  async close(): Promise<void> {
    await this.sub.close();
    await this.done;
  }
}

export function assistantText(e: Extract<SessionEvent, { type: 'AssistantMessageAdded' }>): string {
  return e.message.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every end-to-end test runs on the calling thread and on worker threads: same behaviour. */
export const SHARD_MODES: number[] = (process.env.SHOAL_TEST_SHARDS ?? '0,2').split(',').map(Number);
