import { describe, expect, it } from 'vitest';
import { ActionSchema } from './actions.js';
import { SessionConfigInputSchema, SessionConfigSchema } from './config.js';
import { SessionEventSchema } from './events.js';

const config = SessionConfigSchema.parse({
  workspace: { type: 'local', path: '/tmp/ws' },
  toolConfig: {},
  defaultModel: { provider: 'simulated', id: 'sim' },
});

describe('schemas', () => {
  it('fills SessionConfig defaults (spec §2.1)', () => {
    expect(config.autoCompaction).toEqual({ enabled: true, thresholdPercent: 90 });
    expect(config.toolConfig.visibility).toEqual({ type: 'All' });
    expect(config.toolConfig.approvalPolicy.defaultBehavior).toBe('prompt');
    expect(config.toolConfig.approvalPolicy.preapproved.tools).toContain('read_file');
    expect(config.metadata).toEqual({});
    expect(config.policyOverrides.approvalPolicy.preapproved).toEqual({ tools: [], perTool: {} });
  });

  it('accepts a well-formed event and rejects a malformed one', () => {
    const ok = SessionEventSchema.safeParse({
      type: 'UserMessageAdded',
      message: {
        role: 'user',
        id: 'm1',
        parentMessageId: null,
        timestamp: 1,
        content: [{ type: 'text', text: 'hi' }],
      },
    });
    expect(ok.success).toBe(true);
    expect(
      SessionEventSchema.safeParse({ type: 'UserMessageAdded', message: { role: 'user' } }).success,
    ).toBe(false);
    expect(SessionEventSchema.safeParse({ type: 'NoSuchEvent' }).success).toBe(false);
    expect(SessionEventSchema.safeParse({ type: 'SessionCreated', config, metadata: {} }).success).toBe(true);
  });

  it('discriminates actions by type and requires their fields', () => {
    expect(ActionSchema.safeParse({ type: 'Cancel', sessionId: 's' }).success).toBe(true);
    expect(ActionSchema.safeParse({ type: 'Cancel', sessionId: 's', opId: 'o' }).success).toBe(true);
    expect(ActionSchema.safeParse({ type: 'Cancel' }).success).toBe(false);
    expect(
      ActionSchema.safeParse({
        type: 'UserInput',
        sessionId: 's',
        content: [{ type: 'text', text: 'x' }],
        opId: 'o',
        messageId: 'm',
        model: { provider: 'simulated', id: 'sim' },
        timestamp: -1,
      }).success,
    ).toBe(false);
  });

  it('rejects unknown keys and unknown agents in SessionConfigInput', () => {
    expect(SessionConfigInputSchema.safeParse({ primaryAgentId: 'plan' }).success).toBe(true);
    expect(SessionConfigInputSchema.safeParse({ primaryAgentId: 'boss' }).success).toBe(false);
    expect(SessionConfigInputSchema.safeParse({ bogus: 1 }).success).toBe(false);
  });
});

describe('api.md names', () => {
  it('exports each schema under the bare name of its type', async () => {
    const mod = await import('../index.js');
    expect(mod.SessionEvent).toBe(mod.SessionEventSchema);
    expect(mod.Action.safeParse({ type: 'Cancel', sessionId: 's' }).success).toBe(true);
    for (const name of [
      'SessionId',
      'OpId',
      'MessageId',
      'RequestId',
      'ModelId',
      'UserContent',
      'AssistantContent',
      'Message',
      'ToolCall',
      'ToolResult',
      'ToolError',
      'SessionConfig',
      'Action',
      'SessionEvent',
      'StreamDelta',
      'SessionStateSnapshot',
    ] as const) {
      expect(typeof (mod as unknown as Record<string, { parse?: unknown }>)[name]?.parse, name).toBe(
        'function',
      );
    }
  });
});
