import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from './memory-event-store.js';
import { describeConformance } from './test-support/conformance.js';
import { expectStoreError, userMessage } from './test-support/fixtures.js';

describeConformance('MemoryEventStore', {
  open: async (clock) => new MemoryEventStore({ now: clock.now }),
});

describe('MemoryEventStore', () => {
  it('constructs with no arguments (api.md)', async () => {
    const store = new MemoryEventStore();
    await store.createSession('s');
    expect(await store.append('s', [userMessage('x')])).toEqual([0]);
  });

  it('uses an injected validator', async () => {
    const store = new MemoryEventStore({
      validateEvent: () => {
        throw new Error('nope');
      },
    });
    await store.createSession('s');
    const err = await expectStoreError(store.append('s', [userMessage('x')]), 'INVALID_EVENT');
    expect(err.message).toContain('nope');
  });
});
