import { describe, expect, it } from 'vitest';
import { isWellFormedTurnEvent, validateSessionEvent } from './event-check.js';
import { SessionEventSchema } from './events.js';

const model = { provider: 'simulated', id: 'simulated-1' };
const message = (role: 'user' | 'assistant', extra: Record<string, unknown> = {}) => ({
  role,
  id: 'm1',
  parentMessageId: null,
  timestamp: 1735689600,
  content: [{ type: 'text', text: 'hello' }],
  ...extra,
});

/** The events of one plain turn, as the reducer emits them. */
const turnEvents: unknown[] = [
  { type: 'UserMessageAdded', message: message('user') },
  { type: 'UserMessageAdded', message: message('user', { parentMessageId: 'm0', content: [] }) },
  { type: 'OperationStarted', opId: 'op1', kind: { type: 'AgentLoop' } },
  { type: 'AssistantMessageAdded', message: message('assistant', { parentMessageId: 'm1' }), model },
  {
    type: 'LlmUsageUpdated',
    opId: 'op1',
    model,
    usage: { inputTokens: 10, outputTokens: 2, totalTokens: 12 },
    contextWindow: {
      maxContextTokens: 200000,
      remainingTokens: 199988,
      utilizationRatio: 0.00006,
      estimated: false,
    },
  },
  {
    type: 'LlmUsageUpdated',
    opId: 'op1',
    model,
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    contextWindow: { maxContextTokens: 0, remainingTokens: 0, estimated: true },
  },
  { type: 'LlmUsageUpdated', opId: 'op1', model, usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 } },
  { type: 'OperationCompleted', opId: 'op1' },
];

/** Events zod accepts but whose parse differs from the input, or that the fast path does not cover. */
const leftToZod: unknown[] = [
  { type: 'OperationCompleted', opId: 'op1', extra: 1 }, // stripped by zod
  { type: 'OperationCompleted', opId: 'op1', extra: undefined },
  { type: 'OperationStarted', opId: 'op1', kind: { type: 'Compact', trigger: 'Auto' } },
  { type: 'UserMessageAdded', message: message('user', { content: [{ type: 'text', text: 'x', y: 1 }] }) },
  {
    type: 'UserMessageAdded',
    message: message('user', {
      content: [{ type: 'image', image: { mimeType: 'image/png', source: { type: 'url', url: 'u' } } }],
    }),
  },
  {
    type: 'AssistantMessageAdded',
    message: message('assistant', {
      content: [{ type: 'tool_call', toolCall: { id: 't', name: 'bash', parameters: {} } }],
    }),
    model,
  },
  {
    type: 'LlmUsageUpdated',
    opId: 'op1',
    model,
    usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
    contextWindow: { maxContextTokens: 10 }, // zod fills in estimated: false
  },
  { type: 'SessionTitle', title: 'x' },
];

/** Events zod rejects. */
const invalid: unknown[] = [
  null,
  [],
  'OperationCompleted',
  { type: 'OperationCompleted' },
  { type: 'OperationCompleted', opId: 7 },
  { type: 'OperationStarted', opId: 'op1', kind: { type: 'Nope' } },
  { type: 'UserMessageAdded', message: message('user', { id: '' }) },
  { type: 'UserMessageAdded', message: message('user', { timestamp: -1 }) },
  { type: 'UserMessageAdded', message: message('user', { timestamp: 1.5 }) },
  { type: 'UserMessageAdded', message: message('assistant') },
  { type: 'UserMessageAdded', message: message('user', { content: [{ type: 'text', text: 3 }] }) },
  { type: 'AssistantMessageAdded', message: message('assistant'), model: { provider: '', id: 'x' } },
  { type: 'AssistantMessageAdded', message: message('assistant') },
  {
    type: 'LlmUsageUpdated',
    opId: 'op1',
    model,
    usage: { inputTokens: -1, outputTokens: 0, totalTokens: 0 },
  },
  {
    type: 'LlmUsageUpdated',
    opId: 'op1',
    model,
    usage: { inputTokens: 1, outputTokens: 0, totalTokens: 1 },
    contextWindow: { estimated: false, utilizationRatio: Number.NaN },
  },
];

describe('isWellFormedTurnEvent / validateSessionEvent', () => {
  it('accepts the events of a plain turn, exactly where zod returns an equal value', () => {
    for (const e of turnEvents) {
      expect(isWellFormedTurnEvent(e)).toBe(true);
      expect(SessionEventSchema.parse(e)).toEqual(e);
      expect(validateSessionEvent(e)).toBe(e); // returned as it is: no copy
    }
  });

  it('leaves every other event to zod, with zod’s result', () => {
    for (const e of leftToZod) {
      expect(isWellFormedTurnEvent(e)).toBe(false);
      const r = SessionEventSchema.safeParse(e);
      if (r.success) expect(validateSessionEvent(e)).toEqual(r.data);
      else expect(() => validateSessionEvent(e)).toThrow();
    }
  });

  it('never accepts an event zod rejects', () => {
    for (const e of invalid) {
      expect(SessionEventSchema.safeParse(e).success).toBe(false);
      expect(isWellFormedTurnEvent(e)).toBe(false);
      expect(() => validateSessionEvent(e)).toThrow();
    }
  });
});
