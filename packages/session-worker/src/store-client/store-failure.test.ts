import { RuntimeError } from '@shoal/shared';
import { MemoryEventStore, StoreError } from '@shoal/store';
import { describe, expect, it } from 'vitest';
import { mappingStoreErrors, runtimeErrorFromStore } from './store-failure.js';

describe('runtimeErrorFromStore', () => {
  it('keeps the session codes', () => {
    for (const code of ['SESSION_NOT_FOUND', 'SESSION_ALREADY_EXISTS'] as const) {
      const cause = new StoreError(code, `session s: ${code}`, { sessionId: 's' });
      const err = runtimeErrorFromStore(cause);
      expect(err).toMatchObject({
        name: 'RuntimeError',
        code,
        message: `session s: ${code}`,
        kind: undefined,
      });
      expect(err.cause).toBe(cause);
    }
  });

  it('is EVENT_STORE with the store code as kind and its facts as plain details', () => {
    const cause = new StoreError('SEQUENCE_CONFLICT', 'session s: expected next seq 3, but it is 5', {
      sessionId: 's',
      expectedNextSeq: 3,
      actualNextSeq: 5,
    });
    const err = runtimeErrorFromStore(cause);
    expect(err).toMatchObject({
      code: 'EVENT_STORE',
      kind: 'SEQUENCE_CONFLICT',
      message: cause.message,
      details: { sessionId: 's', expectedNextSeq: 3, actualNextSeq: 5 },
    });
    expect(err.cause).toBe(cause);
    expect(structuredClone(err.details)).toEqual(err.details);
    for (const code of ['CORRUPT_RECORD', 'CLOSED', 'IO', 'INVALID_EVENT', 'LOCKED'] as const) {
      expect(runtimeErrorFromStore(new StoreError(code, 'm'))).toMatchObject({
        code: 'EVENT_STORE',
        kind: code,
      });
    }
  });

  it('a refused argument is the caller’s Validation error; a lost lease is the retryable SESSION', () => {
    expect(runtimeErrorFromStore(new StoreError('INVALID_ARGUMENT', 'bad cursor'))).toMatchObject({
      code: 'INVALID_INPUT',
      kind: 'Validation',
      details: [{ path: [], message: 'bad cursor' }],
    });
    expect(runtimeErrorFromStore(new StoreError('LEASE_LOST', 'fenced', { sessionId: 's' }))).toMatchObject({
      code: 'SESSION',
      kind: 'LeaseLost',
      message: 'fenced',
    });
  });

  it('passes a RuntimeError through, and makes anything else EVENT_STORE keeping it as cause', () => {
    const already = new RuntimeError('OVERLOADED', 'full');
    expect(runtimeErrorFromStore(already)).toBe(already);
    const odd = new Error('socket hang up');
    const err = runtimeErrorFromStore(odd);
    expect(err).toMatchObject({
      code: 'EVENT_STORE',
      kind: undefined,
      message: 'the event store failed: socket hang up',
    });
    expect(err.cause).toBe(odd);
  });

  it('mappingStoreErrors: a real store’s rejections arrive as RuntimeErrors, its results unchanged', async () => {
    const store = mappingStoreErrors(new MemoryEventStore());
    await store.createSession('s');
    await expect(store.createSession('s')).rejects.toMatchObject({
      name: 'RuntimeError',
      code: 'SESSION_ALREADY_EXISTS',
    });
    await expect(
      store.append('s', [{ type: 'Error', message: 'x' }], { expectedNextSeq: 4 }),
    ).rejects.toMatchObject({
      name: 'RuntimeError',
      code: 'EVENT_STORE',
      kind: 'SEQUENCE_CONFLICT',
    });
    expect(await store.append('s', [{ type: 'Error', message: 'x' }], { expectedNextSeq: 0 })).toEqual([0]);
    await expect(store.append('ghost', [{ type: 'Error', message: 'x' }])).rejects.toMatchObject({
      code: 'SESSION_NOT_FOUND',
    });
    expect(await store.sessionExists('s')).toBe(true);
  });
});
