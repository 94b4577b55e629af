import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { systemPromptForModel } from '../agents/prompts.js';
import { DEFAULT_MODEL, defaultApprovalPolicy, SessionConfigSchema } from '../schemas/config.js';
import { resolveSystemPrompt, sessionConfigFromInput } from './session-config.js';

const defaults = { workspacePath: '/data/workspaces/s1' };

describe('sessionConfigFromInput (api.md SessionConfigInput, spec §2.1)', () => {
  it('fills every default for an absent or empty input', () => {
    for (const input of [undefined, {}]) {
      const config = sessionConfigFromInput(input, defaults);
      expect(config).toEqual({
        workspace: { type: 'local', path: '/data/workspaces/s1' },
        toolConfig: {
          backends: [],
          visibility: { type: 'All' },
          approvalPolicy: defaultApprovalPolicy(),
          metadata: {},
        },
        primaryAgentId: 'normal',
        policyOverrides: { approvalPolicy: { preapproved: { tools: [], perTool: {} } } },
        metadata: {},
        defaultModel: DEFAULT_MODEL,
        autoCompaction: { enabled: true, thresholdPercent: 90 },
      });
      expect('title' in config).toBe(false);
      expect('systemPrompt' in config).toBe(false);
      expect(SessionConfigSchema.parse(config)).toEqual(config);
    }
  });

  it('keeps every given field', () => {
    const config = sessionConfigFromInput(
      {
        workspace: { type: 'local', path: '/w' },
        defaultModel: { provider: 'anthropic', id: 'claude-sonnet-4-5' },
        primaryAgentId: 'plan',
        systemPrompt: 'be brief',
        policyOverrides: { toolVisibility: { type: 'ReadOnly' } },
        autoCompaction: { enabled: false, thresholdPercent: 50 },
        title: 'T',
        metadata: { a: 'b' },
      },
      defaults,
    );
    expect(config.workspace).toEqual({ type: 'local', path: '/w' });
    expect(config.defaultModel).toEqual({ provider: 'anthropic', id: 'claude-sonnet-4-5' });
    expect(config.primaryAgentId).toBe('plan');
    expect(config.systemPrompt).toBe('be brief');
    expect(config.policyOverrides).toEqual({
      toolVisibility: { type: 'ReadOnly' },
      approvalPolicy: { preapproved: { tools: [], perTool: {} } },
    });
    expect(config.autoCompaction).toEqual({ enabled: false, thresholdPercent: 50 });
    expect(config.title).toBe('T');
    expect(config.metadata).toEqual({ a: 'b' });
    expect(SessionConfigSchema.parse(config)).toEqual(config);
  });

  it('returns fresh objects (the shared DEFAULT_MODEL constant is not handed out)', () => {
    const a = sessionConfigFromInput(undefined, defaults);
    const b = sessionConfigFromInput(undefined, defaults);
    expect(a.defaultModel).not.toBe(DEFAULT_MODEL);
    a.toolConfig.approvalPolicy.preapproved.tools.push('bash');
    a.metadata['x'] = 'y';
    expect(b.toolConfig.approvalPolicy.preapproved.tools).not.toContain('bash');
    expect(b.metadata).toEqual({});
  });

  it.each([
    ['an unknown agent', { primaryAgentId: 'nope' }],
    ['an unknown field', { bogus: 1 }],
    ['an empty workspace path', { workspace: { type: 'local', path: '' } }],
    ['a threshold above 100', { autoCompaction: { enabled: true, thresholdPercent: 150 } }],
    ['a model without id', { defaultModel: { provider: 'openai' } }],
    ['non-string metadata', { metadata: { a: 1 } }],
  ])('throws the ZodError for %s', (_label, input) => {
    expect(() => sessionConfigFromInput(input as never, defaults)).toThrow(ZodError);
  });
});

describe('resolveSystemPrompt (spec §8.4 step 1)', () => {
  const model = { provider: 'google', id: 'gemini' };
  it('uses a non-blank config prompt as is', () => {
    expect(resolveSystemPrompt({ defaultModel: model, systemPrompt: '  custom  ' })).toBe('  custom  ');
  });
  it('falls back to the model default for an absent or blank prompt', () => {
    expect(resolveSystemPrompt({ defaultModel: model })).toBe(systemPromptForModel(model));
    expect(resolveSystemPrompt({ defaultModel: model, systemPrompt: ' \n\u3000' })).toBe(
      systemPromptForModel(model),
    );
  });
});
