import type { Action } from '@shoal/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RuntimeError } from './errors/runtime-error.js';
import { type Harness, SHARD_MODES, startRuntime } from './test-support/harness.js';

describe.each(SHARD_MODES)('Runtime lifecycle (shards: %i)', (shards) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startRuntime({ shards });
  });
  afterEach(async () => {
    await h.close();
  });

  // The seed's four supervisor tests (spec §10.7).
  it('create_session', async () => {
    const id = await h.runtime.createSession();
    expect(await h.runtime.isSessionActive(id)).toBe(true);
    expect(await h.runtime.sessionExists(id)).toBe(true);
  });

  it('suspend_and_resume_session', async () => {
    const id = await h.runtime.createSession();
    await h.runtime.suspendSession(id);
    expect(await h.runtime.isSessionActive(id)).toBe(false);
    await h.runtime.resumeSession(id);
    expect(await h.runtime.isSessionActive(id)).toBe(true);
  });

  it('delete_session', async () => {
    const id = await h.runtime.createSession();
    await h.runtime.deleteSession(id);
    expect(await h.runtime.isSessionActive(id)).toBe(false);
    await expect(h.runtime.resumeSession(id)).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });
    expect(await h.runtime.loadEventsAfter(id, -1)).toEqual([]);
  });

  it('subscribe_events', async () => {
    const id = await h.runtime.createSession();
    const sub = await h.runtime.subscribeEvents(id);
    expect(typeof sub[Symbol.asyncIterator]).toBe('function');
    await sub.close();
  });

  it('records SessionCreated with defaults filled in', async () => {
    const id = await h.runtime.createSession({ metadata: { tenant: 'acme' }, title: 'T' });
    const [first] = await h.runtime.loadEventsAfter(id, -1);
    expect(first?.seq).toBe(0);
    expect(first?.event.type).toBe('SessionCreated');
    if (first?.event.type !== 'SessionCreated') throw new Error('unreachable');
    expect(first.event.metadata).toEqual({ tenant: 'acme' });
    expect(first.event.config.defaultModel).toEqual({ provider: 'simulated', id: 'sim' });
    expect(first.event.config.primaryAgentId).toBe('normal');
    expect(first.event.config.systemPrompt?.length).toBeGreaterThan(0);
    expect(first.event.config.workspace).toEqual({ type: 'local', path: expect.stringContaining(id) });
    const state = await h.runtime.getSessionState(id);
    expect(state.title).toBe('T');
    expect(state.eventSequence).toBe(1);
    expect(await h.runtime.listAllSessions()).toContain(id);
    expect(await h.runtime.listActiveSessions()).toContain(id);
  });

  it('unknown ids reject with SESSION_NOT_FOUND and write nothing', async () => {
    const ghost = '00000000-0000-4000-8000-000000000000';
    for (const call of [
      () => h.runtime.getSessionState(ghost),
      () => h.runtime.submitUserInput(ghost, 'hi'),
      () => h.runtime.subscribeEvents(ghost),
      () => h.runtime.subscribeDeltas(ghost),
      () => h.runtime.resumeSession(ghost),
      () => h.runtime.dispatchAction(ghost, { type: 'Cancel', sessionId: ghost }),
    ]) {
      await expect(call()).rejects.toMatchObject({ name: 'RuntimeError', code: 'SESSION_NOT_FOUND' });
    }
    expect(await h.runtime.sessionExists(ghost)).toBe(false);
    expect(await h.runtime.listAllSessions()).toEqual([]);
  });

  it('bad input of every kind is rejected with the right code and no event written', async () => {
    const id = await h.runtime.createSession();
    const before = (await h.runtime.loadEventsAfter(id, -1)).length;
    const cases: [() => Promise<unknown>, string, string | undefined][] = [
      [() => h.runtime.createSession({ primaryAgentId: 'boss' as 'normal' }), 'INVALID_INPUT', 'Validation'],
      [() => h.runtime.createSession({ bogus: true } as never), 'INVALID_INPUT', 'Validation'],
      [() => h.runtime.submitUserInput(id, '   '), 'INVALID_INPUT', 'EmptyInput'],
      [() => h.runtime.submitUserInput(id, []), 'INVALID_INPUT', 'EmptyInput'],
      [() => h.runtime.submitUserInput(id, [{ type: 'nope' }] as never), 'INVALID_INPUT', 'Validation'],
      [() => h.runtime.submitUserInput(id, 'x', { provider: '' } as never), 'INVALID_INPUT', 'Validation'],
      [
        () => h.runtime.dispatchAction(id, { type: 'Explode' } as unknown as Action),
        'INVALID_INPUT',
        'Validation',
      ],
      [
        () => h.runtime.dispatchAction(id, { type: 'Cancel', sessionId: 'someone-else' }),
        'INVALID_INPUT',
        'Validation',
      ],
      [() => h.runtime.switchPrimaryAgent(id, 'boss'), 'INVALID_INPUT', 'UnknownPrimaryAgent'],
      [() => h.runtime.submitDequeueQueuedItem(id), 'INVALID_INPUT', 'QueueEmpty'],
      [() => h.runtime.executeBashCommand(id, '  '), 'INVALID_INPUT', 'EmptyInput'],
      [() => h.runtime.submitToolApproval(id, '', true), 'INVALID_INPUT', 'Validation'],
      [
        () => h.runtime.submitToolApproval(id, 'r', true, { type: 'Tool' } as never),
        'INVALID_INPUT',
        'Validation',
      ],
      [() => h.runtime.loadEventsAfter(id, -2), 'INVALID_INPUT', 'Validation'],
      [() => h.runtime.subscribeEvents(id, { afterSeq: 1.5 }), 'INVALID_INPUT', 'Validation'],
      [() => h.runtime.getSessionState(''), 'INVALID_INPUT', 'Validation'],
    ];
    for (const [call, code, kind] of cases) {
      const err = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, `expected ${code}/${kind}`).toBeInstanceOf(RuntimeError);
      expect(err).toMatchObject({ code, kind });
    }
    const validation = await h.runtime.createSession({ primaryAgentId: 'boss' as 'normal' }).catch((e) => e);
    expect(Array.isArray((validation as RuntimeError).details)).toBe(true);
    expect((await h.runtime.loadEventsAfter(id, -1)).length).toBe(before);
  });

  it('editing or compacting while an operation runs is rejected with OperationInFlight', async () => {
    const id = await h.runtime.createSession();
    const { messageId } = await h.runtime.submitUserInput(id, '/sleep 10000');
    await expect(h.runtime.submitEditedMessage(id, messageId, 'x')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      kind: 'OperationInFlight',
    });
    await expect(h.runtime.compactSession(id)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      kind: 'OperationInFlight',
    });
    await h.runtime.cancelOperation(id);
  });

  it('rejects invalid runtime options with Validation', async () => {
    const { Runtime } = await import('./runtime.js');
    await expect(Runtime.start({ shards: -1 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      kind: 'Validation',
    });
    await expect(Runtime.start({ store: 'sqlite' as 'level' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('shutdown refuses new commands with SHUTTING_DOWN and is idempotent', async () => {
    const id = await h.runtime.createSession();
    await h.runtime.shutdown();
    await expect(h.runtime.submitUserInput(id, 'hi')).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    await expect(h.runtime.createSession()).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    await h.runtime.shutdown();
  });
});
