import { randomUUID } from 'node:crypto';
import { type Action, RUNTIME_ERROR_CODES, type RuntimeErrorCode, shardOf } from '@shoal/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RuntimeError } from './errors/runtime-error.js';
import type { Runtime } from './runtime.js';
import { type Harness, startRuntime } from './test-support/harness.js';
import { waitFor } from './test-support/wait-for.js';

// The runtime draws session ids from randomUUID; a test makes it draw one that is already taken, as a
// collision (or another writer of the same store) would.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, randomUUID: vi.fn(actual.randomUUID) };
});

/** What reaches the caller: the three fields a caller may branch on, or that the call succeeded. */
type Outcome = { code: RuntimeErrorCode; kind: string | undefined; message: string } | 'resolved';

async function outcome(p: Promise<unknown>): Promise<Outcome> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    if (!(err instanceof RuntimeError)) throw err;
    return { code: err.code, kind: err.kind, message: err.message };
  }
}

const UNKNOWN_ID = '6f1c2d3e-4b5a-4c6d-8e7f-000000000000';
/** The codes this file produces; the last test checks it is every code of api.md. */
const produced = new Set<RuntimeErrorCode>();

/**
 * The error matrix: every code of api.md, produced the way a caller meets it, through a runtime with an
 * in-process shard (`shards: 0`) and with two worker threads (`shards: 2`), on a real LevelDB. Each case
 * asserts one exact outcome for both modes, so the two cannot differ in code, kind or message. Where a
 * mode cannot produce a code (there is no thread to crash or channel to drop in-process), the case says
 * so and asserts what that mode does instead.
 */
describe.each([0, 2])('RuntimeError matrix, shards: %i', (shards) => {
  let h: Harness;
  let rt: Runtime;
  const inWorkers = shards > 0;
  const shardIndexOf = (id: string) => (inWorkers ? shardOf(id, shards) : 0);
  const expectOutcome = (got: Outcome, want: Outcome) => {
    expect(got).toEqual(want);
    if (got !== 'resolved') produced.add(got.code);
  };

  beforeAll(async () => {
    h = await startRuntime({ shards, limits: { maxPendingPerSession: 4 } });
    rt = h.runtime;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('SESSION_NOT_FOUND: an id that was never created, on every kind of call', async () => {
    const want: Outcome = {
      code: 'SESSION_NOT_FOUND',
      kind: undefined,
      message: `session ${UNKNOWN_ID} not found`,
    };
    expectOutcome(await outcome(rt.getSessionState(UNKNOWN_ID)), want);
    expectOutcome(await outcome(rt.submitUserInput(UNKNOWN_ID, 'hello')), want);
    expectOutcome(await outcome(rt.resumeSession(UNKNOWN_ID)), want);
    expectOutcome(await outcome(rt.subscribeEvents(UNKNOWN_ID)), want);
    expect(await rt.sessionExists(UNKNOWN_ID)).toBe(false);
  });

  it('SESSION_ALREADY_EXISTS: creating a session under an id the store already holds', async () => {
    const taken = randomUUID();
    await rt.eventStore.createSession(taken);
    vi.mocked(randomUUID).mockReturnValueOnce(taken);
    expectOutcome(await outcome(rt.createSession({ title: 'second' })), {
      code: 'SESSION_ALREADY_EXISTS',
      kind: undefined,
      message: `session ${taken} already exists`,
    });
    // Nothing was written over the first registration.
    expect(await rt.loadEventsAfter(taken, -1)).toEqual([]);
  });

  it('INVALID_INPUT: a malformed action (Validation), and a reducer input error with the spec kind', async () => {
    const id = await rt.createSession();
    const malformed = { type: 'Cancel', sessionId: id, opId: 42 } as unknown as Action;
    const bad = await rt.dispatchAction(id, malformed).catch((e: unknown) => e);
    expectOutcome(await outcome(Promise.reject(bad)), {
      code: 'INVALID_INPUT',
      kind: 'Validation',
      message: 'invalid action',
    });
    expect((bad as RuntimeError).details).toEqual([expect.objectContaining({ path: ['action', 'opId'] })]);
    // Decided by the reducer on the shard's thread (spec §3.3: nothing queued to remove).
    expectOutcome(await outcome(rt.submitDequeueQueuedItem(id)), {
      code: 'INVALID_INPUT',
      kind: 'QueueEmpty',
      message: 'No queued item to remove',
    });
    expectOutcome(await outcome(rt.submitUserInput(id, '   ')), {
      code: 'INVALID_INPUT',
      kind: 'EmptyInput',
      message: 'the input is empty',
    });
    expect((await rt.getSessionState(id)).eventSequence).toBeGreaterThan(0);
  });

  it('OVERLOADED: more commands for one session than its bounded mailbox holds', async () => {
    const id = await rt.createSession();
    const results = await Promise.all(Array.from({ length: 12 }, () => outcome(rt.getSessionState(id))));
    const refused = results.filter((r) => r !== 'resolved');
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused)
      expectOutcome(r, {
        code: 'OVERLOADED',
        kind: undefined,
        message: `session ${id} has 4 commands queued`,
      });
    expect(results.filter((r) => r === 'resolved').length).toBeGreaterThan(0);
  });

  it('EVENT_STORE: a sequence conflict behind the actor’s back; the next command rebuilds the session', async () => {
    const id = await rt.createSession();
    const next = (await rt.getSessionState(id)).eventSequence;
    // Another writer appends to the log while the actor is resident with its own idea of the next seq.
    await rt.eventStore.append(id, [{ type: 'Error', message: 'written behind the actor’s back' }]);
    const err = await rt.submitUserInput(id, 'hello').catch((e: unknown) => e);
    expectOutcome(await outcome(Promise.reject(err)), {
      code: 'EVENT_STORE',
      kind: 'SEQUENCE_CONFLICT',
      message: `session ${id}: expected next seq ${next}, but it is ${next + 1}`,
    });
    expect((err as RuntimeError).details).toEqual({
      sessionId: id,
      expectedNextSeq: next,
      actualNextSeq: next + 1,
    });
    // The conflicting append wrote nothing; the session comes back from what is durable.
    const log = await rt.loadEventsAfter(id, -1);
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i));
    expect(log.at(-1)?.event.type).toBe('Error');
    await rt.submitUserInput(id, 'after the conflict');
    expect((await rt.getSessionState(id)).messages.some((m) => m.role === 'user')).toBe(true);
  });

  /** In-process (`shards: 0`) there is no thread to break: the chaos hook refuses, as a caller sees it. */
  const noThread: Outcome = {
    code: 'INVALID_INPUT',
    kind: undefined,
    message: 'this shard runs on the caller’s thread: there is no thread to break',
  };

  it('SESSION: commands in flight when their shard’s thread dies (in-process there is no thread to lose)', async () => {
    const id = await rt.createSession();
    const shard = shardIndexOf(id);
    if (!inWorkers) {
      expectOutcome(await outcome(rt.inspectShard(shard).chaos('exit')), noThread);
      expect((await rt.getSessionState(id)).sessionId).toBe(id);
      return;
    }
    // Three callers keep one command each in flight on the shard while its thread exits.
    const failures: Outcome[] = [];
    let answered = 0;
    let stop = false;
    const drivers = Array.from({ length: 3 }, async () => {
      while (!stop) {
        const got = await outcome(rt.getSessionState(id));
        if (got === 'resolved') answered++;
        else failures.push(got);
      }
    });
    try {
      await waitFor('commands are flowing', () => answered >= 10);
      await rt.inspectShard(shard).chaos('exit');
      const before = answered;
      // The replacement thread answers again; the commands in flight when the old one died failed.
      await waitFor('the replacement thread answers', () => failures.length > 0 && answered >= before + 10);
    } finally {
      stop = true;
      await Promise.all(drivers);
    }
    for (const f of failures) {
      expectOutcome(f, {
        code: 'SESSION',
        kind: undefined,
        message: `shard ${shard} restarted (worker thread exited with code 70); the command may be retried`,
      });
    }
    // The session comes back on its next command, rebuilt from the store.
    expect((await rt.getSessionState(id)).sessionId).toBe(id);
  });

  it('CHANNEL_CLOSED: a reply the channel between the threads drops (in-process nothing crosses a channel)', async () => {
    const id = await rt.createSession();
    const shard = shardIndexOf(id);
    if (!inWorkers) {
      expectOutcome(await outcome(rt.inspectShard(shard).chaos('unreadableReply')), noThread);
      expect((await rt.getSessionState(id)).sessionId).toBe(id);
      return;
    }
    await rt.inspectShard(shard).chaos('unreadableReply');
    expectOutcome(await outcome(rt.getSessionState(id)), {
      code: 'CHANNEL_CLOSED',
      kind: undefined,
      message:
        'the reply was lost between the threads (the other side could not read it); the command may be retried',
    });
    expect((await rt.getSessionState(id)).sessionId).toBe(id);
  });

  it('SHUTTING_DOWN: any command after shutdown', async () => {
    const id = await rt.createSession();
    await rt.shutdown();
    const want: Outcome = { code: 'SHUTTING_DOWN', kind: undefined, message: 'the runtime is shutting down' };
    expectOutcome(await outcome(rt.getSessionState(id)), want);
    expectOutcome(await outcome(rt.createSession()), want);
    expectOutcome(await outcome(rt.submitUserInput(id, 'too late')), want);
  });
});

describe('RuntimeError matrix coverage', () => {
  it('produced every code of api.md, in the worker mode at least', () => {
    expect([...produced].sort()).toEqual([...RUNTIME_ERROR_CODES].sort());
  });
});
