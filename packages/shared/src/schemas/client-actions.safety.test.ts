import { describe, expect, it } from 'vitest';
import { ActionSchema } from './actions.js';
import { CLIENT_ACTION_TYPES, ClientActionSchema, isClientActionType } from './client-actions.js';

describe('ClientActionSchema (spec §3.1 client actions)', () => {
  it('accepts every client action and nothing else of the catalogue', () => {
    const all = ActionSchema.options.map((o) => o.shape.type.value);
    expect(all).toEqual(expect.arrayContaining([...CLIENT_ACTION_TYPES]));
    expect(ClientActionSchema.safeParse({ type: 'Cancel', sessionId: 's' }).success).toBe(true);
    expect(ClientActionSchema.safeParse({ type: 'DequeueQueuedItem', sessionId: 's' }).success).toBe(true);
    for (const type of ['Hydrate', 'ToolResult', 'ModelResponseComplete', 'DrainQueuedWork', 'Shutdown']) {
      expect(isClientActionType(type)).toBe(false);
      expect(ClientActionSchema.safeParse({ type, sessionId: 's' }).success).toBe(false);
    }
  });

  it('rejects a Hydrate that ActionSchema itself would accept', () => {
    const hydrate = { type: 'Hydrate', sessionId: 's', events: [], startingSequence: 0 };
    expect(ActionSchema.safeParse(hydrate).success).toBe(true);
    expect(ClientActionSchema.safeParse(hydrate).success).toBe(false);
  });
});
