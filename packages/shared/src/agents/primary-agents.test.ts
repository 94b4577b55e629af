import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toolDecision } from '../policy/approval-policy.js';
import { patternMatches } from '../policy/glob.js';
import { filterToolsByVisibility } from '../policy/visibility.js';
import {
  defaultApprovalPolicy,
  READ_ONLY_TOOLS,
  type SessionConfig,
  SessionConfigSchema,
  type SessionPolicyOverrides,
  type ToolRule,
} from '../schemas/config.js';
import type { ModelId } from '../schemas/ids.js';
import {
  DEFAULT_PRIMARY_AGENT_ID,
  getPrimaryAgent,
  isKnownAgentPrompt,
  PRIMARY_AGENT_SPECS,
  resolveEffectiveConfig,
} from './primary-agents.js';
import { PLANNER_PROMPT, systemPromptForModel } from './prompts.js';

const emptyOverrides = (): SessionPolicyOverrides => ({
  approvalPolicy: { preapproved: { tools: [], perTool: {} } },
});

const baseConfig = (extra: Partial<SessionConfig> = {}): SessionConfig => ({
  workspace: { type: 'local', path: '/tmp/ws' },
  toolConfig: {
    backends: [],
    visibility: { type: 'ReadOnly' },
    approvalPolicy: defaultApprovalPolicy(),
    metadata: {},
  },
  policyOverrides: emptyOverrides(),
  metadata: { team: 'a' },
  defaultModel: { provider: 'anthropic', id: 'claude-sonnet-4-5' },
  autoCompaction: { enabled: true, thresholdPercent: 90 },
  ...extra,
});

const normalPolicy = () => {
  const p = defaultApprovalPolicy();
  p.preapproved.perTool['dispatch_agent'] = { type: 'DispatchAgent', agentPatterns: ['explore'] };
  return p;
};

describe('PRIMARY_AGENT_SPECS (spec §2.5)', () => {
  it('registers exactly normal, plan, yolo; normal is the default', () => {
    expect(PRIMARY_AGENT_SPECS.map((s) => s.id)).toEqual(['normal', 'plan', 'yolo']);
    expect(PRIMARY_AGENT_SPECS.map((s) => s.name)).toEqual(['Normal', 'Plan', 'Yolo']);
    expect(DEFAULT_PRIMARY_AGENT_ID).toBe('normal');
  });

  it('normal: no model, no prompt, All, default policy plus dispatch_agent → explore', () => {
    const normal = getPrimaryAgent('normal')!;
    expect(normal.model).toBeUndefined();
    expect(normal.systemPrompt).toBeUndefined();
    expect(normal.toolVisibility).toEqual({ type: 'All' });
    expect(normal.approvalPolicy).toEqual(normalPolicy());
  });

  it('plan: planner prompt, whitelist of the read-only set plus dispatch_agent (exactly 8), same policy', () => {
    const plan = getPrimaryAgent('plan')!;
    expect(plan.model).toBeUndefined();
    expect(plan.systemPrompt).toBe(PLANNER_PROMPT);
    expect(plan.toolVisibility.type).toBe('Whitelist');
    const tools = plan.toolVisibility.type === 'Whitelist' ? plan.toolVisibility.tools : [];
    expect(tools).toHaveLength(8);
    expect(new Set(tools)).toEqual(new Set([...READ_ONLY_TOOLS, 'dispatch_agent']));
    expect(plan.approvalPolicy).toEqual(normalPolicy());
  });

  it('yolo: allow by default, nothing pre-approved', () => {
    const yolo = getPrimaryAgent('yolo')!;
    expect(yolo.model).toBeUndefined();
    expect(yolo.systemPrompt).toBeUndefined();
    expect(yolo.toolVisibility).toEqual({ type: 'All' });
    expect(yolo.approvalPolicy).toEqual({
      defaultBehavior: 'allow',
      preapproved: { tools: [], perTool: {} },
    });
  });

  it('all three agents auto-allow read_todos and write_todos', () => {
    for (const spec of PRIMARY_AGENT_SPECS) {
      expect(toolDecision(spec.approvalPolicy, 'read_todos')).toBe('Allow');
      expect(toolDecision(spec.approvalPolicy, 'write_todos')).toBe('Allow');
    }
  });

  it('ids are case-sensitive; unknown ids are undefined', () => {
    expect(getPrimaryAgent('Normal')).toBeUndefined();
    expect(getPrimaryAgent('PLAN')).toBeUndefined();
    expect(getPrimaryAgent('explore')).toBeUndefined();
    expect(getPrimaryAgent('')).toBeUndefined();
  });

  it('specs are frozen so callers cannot corrupt the registry', () => {
    const normal = getPrimaryAgent('normal')!;
    expect(() => {
      normal.approvalPolicy.preapproved.tools.push('bash');
    }).toThrow(TypeError);
    expect(toolDecision(getPrimaryAgent('normal')!.approvalPolicy, 'bash')).toBe('Ask');
  });
});

describe('isKnownAgentPrompt (spec §2.6 step 5)', () => {
  it('recognises the planner prompt byte-for-byte only', () => {
    expect(isKnownAgentPrompt(PLANNER_PROMPT)).toBe(true);
    expect(isKnownAgentPrompt(`${PLANNER_PROMPT} `)).toBe(false);
    expect(isKnownAgentPrompt('base prompt')).toBe(false);
    expect(isKnownAgentPrompt('')).toBe(false);
  });
});

describe('resolveEffectiveConfig (spec §2.6)', () => {
  it('normal: agent visibility and policy replace the user toolConfig; prompt falls back to the model default', () => {
    const base = baseConfig({ primaryAgentId: 'normal' });
    const eff = resolveEffectiveConfig(base);
    expect(eff.primaryAgentId).toBe('normal');
    expect(eff.toolConfig.visibility).toEqual({ type: 'All' });
    expect(eff.toolConfig.approvalPolicy).toEqual(normalPolicy());
    expect(eff.systemPrompt).toBe(systemPromptForModel(base.defaultModel));
    expect(eff.defaultModel).toEqual(base.defaultModel);
  });

  it('missing primaryAgentId means normal; unknown ids fall back to normal', () => {
    expect(resolveEffectiveConfig(baseConfig()).primaryAgentId).toBe('normal');
    const eff = resolveEffectiveConfig(baseConfig({ primaryAgentId: 'nope' }));
    expect(eff.primaryAgentId).toBe('normal');
    expect(eff.toolConfig.approvalPolicy).toEqual(normalPolicy());
  });

  it('plan: planner prompt and the 8-name whitelist (switch_primary_agent_updates_visibility)', () => {
    const eff = resolveEffectiveConfig(baseConfig({ primaryAgentId: 'plan', systemPrompt: 'base prompt' }));
    expect(eff.primaryAgentId).toBe('plan');
    expect(eff.systemPrompt).toBe(PLANNER_PROMPT);
    expect(eff.toolConfig.visibility.type).toBe('Whitelist');
    const visible = filterToolsByVisibility(
      eff.toolConfig.visibility,
      ['bash', 'edit_file', ...READ_ONLY_TOOLS, 'dispatch_agent'].map((name) => ({ name })),
    );
    expect(visible.map((t) => t.name).sort()).toEqual([...READ_ONLY_TOOLS, 'dispatch_agent'].sort());
  });

  it('yolo: default behaviour allow (switch_primary_agent_yolo_auto_approves)', () => {
    const eff = resolveEffectiveConfig(baseConfig({ primaryAgentId: 'yolo' }));
    expect(eff.toolConfig.approvalPolicy.defaultBehavior).toBe('allow');
    expect(toolDecision(eff.toolConfig.approvalPolicy, 'bash')).toBe('Allow');
  });

  it('switch_primary_agent_restores_base_prompt: a user prompt survives plan → normal', () => {
    const base = baseConfig({ systemPrompt: 'base prompt' });
    const plan = resolveEffectiveConfig({ ...base, primaryAgentId: 'plan' });
    expect(plan.systemPrompt).toBe(PLANNER_PROMPT);
    const normal = resolveEffectiveConfig({ ...base, primaryAgentId: 'normal' });
    expect(normal.systemPrompt).toBe('base prompt');
  });

  it('a base prompt equal to the planner prompt is dropped outside plan (switching away from plan)', () => {
    const planEff = resolveEffectiveConfig(baseConfig({ primaryAgentId: 'plan' }));
    const back = resolveEffectiveConfig({ ...planEff, primaryAgentId: 'normal' });
    expect(back.systemPrompt).toBe(systemPromptForModel(planEff.defaultModel));
  });

  it('a blank base prompt counts as none', () => {
    const eff = resolveEffectiveConfig(baseConfig({ systemPrompt: ' \n\t ' }));
    expect(eff.systemPrompt).toBe(systemPromptForModel(eff.defaultModel));
  });

  it('model: base, replaced by policyOverrides.defaultModel; the prompt follows the effective model', () => {
    const overrides: SessionPolicyOverrides = {
      ...emptyOverrides(),
      defaultModel: { provider: 'openai', id: 'o3-mini' },
    };
    const eff = resolveEffectiveConfig(baseConfig({ policyOverrides: overrides }));
    expect(eff.defaultModel).toEqual({ provider: 'openai', id: 'o3-mini' });
    expect(eff.systemPrompt).toBe(systemPromptForModel({ provider: 'openai', id: 'o3-mini' }));
  });

  it('policyOverrides.toolVisibility wins over the agent visibility', () => {
    const overrides: SessionPolicyOverrides = {
      ...emptyOverrides(),
      toolVisibility: { type: 'Blacklist', tools: ['bash'] },
    };
    const eff = resolveEffectiveConfig(baseConfig({ primaryAgentId: 'plan', policyOverrides: overrides }));
    expect(eff.toolConfig.visibility).toEqual({ type: 'Blacklist', tools: ['bash'] });
  });

  it('policyOverrides.approvalPolicy is layered over the agent policy', () => {
    const overrides: SessionPolicyOverrides = {
      approvalPolicy: {
        preapproved: {
          tools: ['edit_file'],
          perTool: {
            bash: { type: 'Bash', patterns: ['git status'] },
            dispatch_agent: { type: 'DispatchAgent', agentPatterns: ['explore-*'] },
          },
        },
      },
    };
    const eff = resolveEffectiveConfig(baseConfig({ policyOverrides: overrides }));
    const policy = eff.toolConfig.approvalPolicy;
    expect(policy.defaultBehavior).toBe('prompt');
    expect(toolDecision(policy, 'edit_file')).toBe('Allow');
    expect(policy.preapproved.perTool['bash']).toEqual({ type: 'Bash', patterns: ['git status'] });
    expect(policy.preapproved.perTool['dispatch_agent']).toEqual({
      type: 'DispatchAgent',
      agentPatterns: ['explore', 'explore-*'],
    });
    expect(patternMatches('explore-*', 'explore-fast')).toBe(true);
  });

  it('copies everything else unchanged (backends, toolConfig.metadata, title, metadata, autoCompaction, overrides)', () => {
    const base = baseConfig({
      title: 'My session',
      workspaceName: 'ws',
      parentSessionId: 'p',
      autoCompaction: { enabled: false, thresholdPercent: 75 },
    });
    base.toolConfig.metadata = { k: 'v' };
    base.toolConfig.backends = [
      { type: 'Mcp', serverName: 's', transport: { cmd: 'x' }, toolFilter: { type: 'All' } },
    ];
    const eff = resolveEffectiveConfig(base);
    expect(eff.title).toBe('My session');
    expect(eff.workspace).toEqual(base.workspace);
    expect(eff.workspaceName).toBe('ws');
    expect(eff.parentSessionId).toBe('p');
    expect(eff.metadata).toEqual({ team: 'a' });
    expect(eff.autoCompaction).toEqual({ enabled: false, thresholdPercent: 75 });
    expect(eff.policyOverrides).toEqual(base.policyOverrides);
    expect(eff.toolConfig.metadata).toEqual({ k: 'v' });
    expect(eff.toolConfig.backends).toEqual(base.toolConfig.backends);
    expect(() => SessionConfigSchema.parse(eff)).not.toThrow();
  });

  it('is pure: the base is not mutated and replaced parts are fresh, unfrozen objects', () => {
    const base = baseConfig({ primaryAgentId: 'plan' });
    const snapshot = structuredClone(base);
    const eff = resolveEffectiveConfig(base);
    expect(base).toEqual(snapshot);
    expect(eff).not.toBe(base);
    expect(eff.toolConfig).not.toBe(base.toolConfig);
    // results must be safe to mutate without touching the frozen registry
    eff.toolConfig.approvalPolicy.preapproved.tools.push('bash');
    if (eff.toolConfig.visibility.type === 'Whitelist') eff.toolConfig.visibility.tools.push('bash');
    eff.defaultModel.id = 'changed';
    const again = resolveEffectiveConfig(base);
    expect(toolDecision(again.toolConfig.approvalPolicy, 'bash')).toBe('Ask');
    expect(again.toolConfig.visibility).toEqual(getPrimaryAgent('plan')!.toolVisibility);
    expect(base.defaultModel.id).toBe('claude-sonnet-4-5');
  });

  it('property: idempotent for every agent, prompt and overrides', () => {
    const agentArb = fc.constantFrom(undefined, 'normal', 'plan', 'yolo', 'unknown');
    const promptArb = fc.constantFrom(undefined, '', '  ', 'base prompt', PLANNER_PROMPT);
    const modelArb: fc.Arbitrary<ModelId> = fc.constantFrom(
      { provider: 'anthropic', id: 'claude' },
      { provider: 'openai', id: 'o3' },
      { provider: 'simulated', id: 'sim' },
    );
    const overridesArb: fc.Arbitrary<SessionPolicyOverrides> = fc.record({
      defaultModel: fc.option(modelArb, { nil: undefined }),
      toolVisibility: fc.option(fc.constant({ type: 'ReadOnly' as const }), { nil: undefined }),
      approvalPolicy: fc.record({
        preapproved: fc.record({
          tools: fc.array(fc.constantFrom('bash', 'grep', 'edit_file'), { maxLength: 3 }),
          perTool: fc.constantFrom<Record<string, ToolRule>>(
            {},
            { bash: { type: 'Bash', patterns: ['ls*'] } },
          ),
        }),
      }),
    });
    fc.assert(
      fc.property(agentArb, promptArb, modelArb, overridesArb, (agent, prompt, model, overrides) => {
        const base = baseConfig({ defaultModel: model, policyOverrides: overrides });
        if (agent !== undefined) base.primaryAgentId = agent;
        if (prompt !== undefined) base.systemPrompt = prompt;
        const once = resolveEffectiveConfig(base);
        expect(resolveEffectiveConfig(once)).toEqual(once);
        expect(typeof once.systemPrompt).toBe('string');
        expect(getPrimaryAgent(once.primaryAgentId!)).toBeDefined();
      }),
    );
  });
});
