import { describe, expect, it } from 'vitest';
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

describe('SessionEventSchema (the one event validator)', () => {
  it('accepts the events of a plain turn unchanged', () => {
    for (const e of turnEvents) expect(SessionEventSchema.parse(e)).toEqual(e);
  });

  it('strips unknown keys and fills defaults', () => {
    expect(SessionEventSchema.parse({ type: 'OperationCompleted', opId: 'op1', extra: 1 })).toEqual({
      type: 'OperationCompleted',
      opId: 'op1',
    });
    const usage = { inputTokens: 1, outputTokens: 2, totalTokens: 3 };
    const parsed = SessionEventSchema.parse({
      type: 'LlmUsageUpdated',
      opId: 'op1',
      model,
      usage,
      contextWindow: { maxContextTokens: 10 },
    });
    expect(parsed).toEqual({
      type: 'LlmUsageUpdated',
      opId: 'op1',
      model,
      usage,
      contextWindow: { maxContextTokens: 10, estimated: false },
    });
  });

  it('rejects malformed events', () => {
    for (const e of invalid) expect(SessionEventSchema.safeParse(e).success, JSON.stringify(e)).toBe(false);
  });
});
