import { type ModelId, type SessionEvent, SessionEventSchema } from '@shoal/shared';
import { expect } from 'vitest';
import { StoreError, type StoreErrorCode } from '../errors.js';

export const SIM: ModelId = { provider: 'simulated', id: 'sim' };
export const OTHER: ModelId = { provider: 'anthropic', id: 'claude-x' };

let counter = 0;
const nextId = (p: string): string => `${p}-${++counter}`;

// Hand-built events, each checked against the real schema so fixtures cannot drift from @shoal/shared.
const valid = (e: unknown): SessionEvent => SessionEventSchema.parse(e);

export function sessionCreated(
  opts: { title?: string; metadata?: Record<string, string> } = {},
): SessionEvent {
  return valid({
    type: 'SessionCreated',
    config: {
      workspace: { type: 'local', path: '/tmp/ws' },
      toolConfig: {},
      defaultModel: SIM,
      ...(opts.title === undefined ? {} : { title: opts.title }),
    },
    metadata: opts.metadata ?? {},
  });
}

export function configUpdated(title?: string): SessionEvent {
  return valid({
    type: 'SessionConfigUpdated',
    config: {
      workspace: { type: 'local', path: '/tmp/ws' },
      toolConfig: {},
      defaultModel: SIM,
      ...(title === undefined ? {} : { title }),
    },
    primaryAgentId: 'plan',
  });
}

export function userMessage(text: string, id = nextId('u')): SessionEvent {
  return valid({
    type: 'UserMessageAdded',
    message: {
      role: 'user',
      id,
      parentMessageId: null,
      timestamp: 1_700_000_000,
      content: [{ type: 'text', text }],
    },
  });
}

export function assistantMessage(text: string, model: ModelId = SIM): SessionEvent {
  return valid({
    type: 'AssistantMessageAdded',
    model,
    message: {
      role: 'assistant',
      id: nextId('a'),
      parentMessageId: null,
      timestamp: 1_700_000_001,
      content: [{ type: 'text', text }],
    },
  });
}

export function toolCallStarted(model: ModelId = SIM, parameters: unknown = { command: 'ls' }): SessionEvent {
  return valid({ type: 'ToolCallStarted', id: nextId('call'), name: 'bash', parameters, model });
}

/**
 * A `ToolCallStarted` whose parameters JSON cannot hold (a BigInt), built by hand: the schema refuses it,
 * which is what the stores must report (nothing written).
 */
export function unencodableToolCallStarted(model: ModelId = SIM): SessionEvent {
  return { type: 'ToolCallStarted', id: nextId('call'), name: 'bash', parameters: { big: 10n }, model };
}

export function usageUpdated(model: ModelId = SIM): SessionEvent {
  return valid({
    type: 'LlmUsageUpdated',
    opId: nextId('op'),
    model,
    usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
  });
}

export function compacted(model: string): SessionEvent {
  return valid({
    type: 'ConversationCompacted',
    record: {
      id: nextId('c'),
      summaryMessageId: 'm1',
      compactedHeadMessageId: 'm0',
      model,
      createdAt: '2025-01-01T00:00:00Z',
    },
  });
}

export function operationStarted(): SessionEvent {
  return valid({ type: 'OperationStarted', opId: nextId('op'), kind: { type: 'AgentLoop' } });
}

/** A settable clock for catalog times (which have whole-second resolution, so steps default to 1 s). */
export class TestClock {
  constructor(public t = 1_700_000_000_000) {}
  readonly now = (): number => this.t;
  advance(ms = 1000): number {
    this.t += ms;
    return this.t;
  }
}

export async function expectStoreError(p: Promise<unknown>, code: StoreErrorCode): Promise<StoreError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected StoreError ${code}`).toBeInstanceOf(StoreError);
  expect((caught as StoreError).code).toBe(code);
  return caught as StoreError;
}

/** The text of a message event's first text block ('' for anything else). */
export function textOf(ev: SessionEvent): string {
  if (ev.type !== 'UserMessageAdded' && ev.type !== 'AssistantMessageAdded') return '';
  const first = ev.message.content[0];
  return first !== undefined && first.type === 'text' ? first.text : '';
}
