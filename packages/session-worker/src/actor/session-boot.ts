import {
  type AppState,
  applyEvent,
  createAppState,
  type DurableState,
  internSessionConfig,
  prepareResumedState,
  type ReducerDeps,
  RuntimeError,
  recoverInterruptedOperation,
  type SessionConfig,
  type SessionEvent,
  stateFromDurable,
} from '@shoal/shared';
import type { Logger } from 'pino';
import type { ShardStore } from '../store-client/shard-store.js';
import { systemContextFor } from './system-context.js';

export interface ResumeEnv {
  readonly store: ShardStore;
  readonly deps: ReducerDeps;
  readonly logger: Logger;
}

export interface Booted {
  state: AppState;
  /** the sequence number the next appended event gets */
  nextSeq: number;
  /** sequence number covered by the snapshot the state was loaded from, or -1 */
  snapshotSeq: number;
  drainQueue: boolean;
}

/** Tail events are read in pages so a long session never needs its whole log in one array. */
const PAGE = 2000;

/**
 * spec §8.2 CreateSession steps 2, 6, 7: register and record `SessionCreated` (one atomic write, so a crash
 * never leaves a session without its config), then build the live state.
 */
export async function createState(
  env: ResumeEnv,
  sessionId: string,
  config: SessionConfig,
  metadata: Record<string, string>,
): Promise<Booted> {
  const created: SessionEvent = { type: 'SessionCreated', config: internSessionConfig(config), metadata };
  await env.store.createSession(sessionId, metadata, [created]);
  const state = createAppState(sessionId);
  applyEvent(state, created);
  state.cachedSystemContext = systemContextFor(config);
  return { state, nextSeq: 1, snapshotSeq: -1, drainQueue: false };
}

/**
 * spec §8.2 ResumeSession: rebuild from the latest snapshot plus the tail of the log, close an operation
 * the previous process left running (deliberate change 6), and report whether the queue must drain.
 */
export async function resumeState(env: ResumeEnv, sessionId: string, logger: () => Logger): Promise<Booted> {
  if (!(await env.store.sessionExists(sessionId))) {
    throw new RuntimeError('SESSION_NOT_FOUND', `session ${sessionId} not found`);
  }
  const snap = await env.store.loadLatestSnapshot(sessionId);
  let state: AppState;
  let lastSeq = -1;
  if (snap) {
    state = stateFromDurable(snap.snapshot as DurableState);
    lastSeq = snap.seq;
  } else {
    state = createAppState(sessionId);
  }
  const snapshotSeq = lastSeq;
  for (;;) {
    const page = await env.store.loadEventsAfter(sessionId, lastSeq, { limit: PAGE });
    for (const stored of page) applyEvent(state, stored.event);
    if (page.length > 0) lastSeq = page[page.length - 1]!.seq;
    if (page.length < PAGE) break;
  }
  let nextSeq = lastSeq + 1;
  internConfigs(state);
  prepareResumedState(state);
  if (state.sessionConfig) state.cachedSystemContext = systemContextFor(state.sessionConfig);
  const recovery = recoverInterruptedOperation(state, env.deps);
  if (recovery.events.length > 0) {
    await env.store.append(sessionId, recovery.events, { expectedNextSeq: nextSeq });
    nextSeq += recovery.events.length;
    logger().info({ events: recovery.events.length }, 'closed an operation interrupted by a restart');
  }
  return {
    state,
    nextSeq,
    snapshotSeq,
    drainQueue: state.currentOperation == null && state.queuedWork.length > 0,
  };
}

/** Replayed configs are fresh objects per session; share their identical parts (see internSessionConfig). */
function internConfigs(state: AppState): void {
  const base = state.baseSessionConfig;
  const current = state.sessionConfig;
  if (base) state.baseSessionConfig = internSessionConfig(base);
  if (current)
    state.sessionConfig = current === base ? state.baseSessionConfig : internSessionConfig(current);
}
