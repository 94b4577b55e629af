import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  defaultApprovalPolicy,
  READ_ONLY_TOOLS,
  type ToolApprovalPolicy,
  type ToolApprovalPolicyOverrides,
  type ToolRule,
} from '../schemas/config.js';
import {
  applyPolicyOverrides,
  bashPatternsOf,
  clonePolicy,
  dispatchAgentPatternsOf,
  toolDecision,
} from './approval-policy.js';

const policy = (
  defaultBehavior: ToolApprovalPolicy['defaultBehavior'],
  tools: string[] = [],
  perTool: Record<string, ToolRule> = {},
): ToolApprovalPolicy => ({ defaultBehavior, preapproved: { tools, perTool } });

const overrides = (
  tools: string[] = [],
  perTool: Record<string, ToolRule> = {},
): ToolApprovalPolicyOverrides => ({
  preapproved: { tools, perTool },
});

describe('toolDecision (spec §2.3)', () => {
  it('pre-approved tools are allowed whatever the default', () => {
    for (const d of ['prompt', 'deny', 'allow'] as const) {
      expect(toolDecision(policy(d, ['grep']), 'grep')).toBe('Allow');
    }
  });

  it('other tools follow defaultBehavior: prompt → Ask, deny → Deny, allow → Allow', () => {
    expect(toolDecision(policy('prompt', ['grep']), 'bash')).toBe('Ask');
    expect(toolDecision(policy('deny', ['grep']), 'bash')).toBe('Deny');
    expect(toolDecision(policy('allow'), 'bash')).toBe('Allow');
  });

  it('the default policy allows exactly the read-only set (write_todos included) and asks for the rest', () => {
    const p = defaultApprovalPolicy();
    for (const t of READ_ONLY_TOOLS) expect(toolDecision(p, t)).toBe('Allow');
    expect(toolDecision(p, 'write_todos')).toBe('Allow');
    for (const t of ['bash', 'edit_file', 'write_file', 'multi_edit', 'dispatch_agent', 'web_fetch']) {
      expect(toolDecision(p, t)).toBe('Ask');
    }
  });

  it('tool names are case-sensitive', () => {
    expect(toolDecision(defaultApprovalPolicy(), 'GREP')).toBe('Ask');
  });
});

describe('bashPatternsOf / dispatchAgentPatternsOf (spec §2.3)', () => {
  it('reads the Bash rule under "bash"', () => {
    const p = policy('prompt', [], { bash: { type: 'Bash', patterns: ['git status', 'ls*'] } });
    expect(bashPatternsOf(p)).toEqual(['git status', 'ls*']);
    expect(dispatchAgentPatternsOf(p)).toEqual([]);
  });

  it('a DispatchAgent rule stored under "bash" counts as no bash patterns', () => {
    const p = policy('prompt', [], { bash: { type: 'DispatchAgent', agentPatterns: ['explore'] } });
    expect(bashPatternsOf(p)).toEqual([]);
  });

  it('reads the DispatchAgent rule under "dispatch_agent" only', () => {
    const p = policy('prompt', [], {
      dispatch_agent: { type: 'DispatchAgent', agentPatterns: ['explore', 'explore-*'] },
      other: { type: 'DispatchAgent', agentPatterns: ['x'] },
    });
    expect(dispatchAgentPatternsOf(p)).toEqual(['explore', 'explore-*']);
    const wrongKind = policy('prompt', [], { dispatch_agent: { type: 'Bash', patterns: ['x'] } });
    expect(dispatchAgentPatternsOf(wrongKind)).toEqual([]);
  });

  it('returns copies, and ignores inherited keys', () => {
    const p = policy('prompt', [], { bash: { type: 'Bash', patterns: ['a'] } });
    bashPatternsOf(p).push('b');
    expect(bashPatternsOf(p)).toEqual(['a']);
    expect(bashPatternsOf(policy('prompt'))).toEqual([]);
    expect(dispatchAgentPatternsOf(policy('prompt'))).toEqual([]);
  });
});

describe('applyPolicyOverrides (spec §2.3 steps 1-4)', () => {
  it('unions override tools into the pre-approved tools, without duplicates, order kept', () => {
    const result = applyPolicyOverrides(
      policy('prompt', ['grep', 'ls']),
      overrides(['bash', 'ls', 'edit_file', 'bash']),
    );
    expect(result.preapproved.tools).toEqual(['grep', 'ls', 'bash', 'edit_file']);
  });

  it('merges same-kind rules: base patterns in order, then new override patterns', () => {
    const base = policy('prompt', [], { bash: { type: 'Bash', patterns: ['git status', 'ls*'] } });
    const result = applyPolicyOverrides(
      base,
      overrides([], { bash: { type: 'Bash', patterns: ['ls*', 'cargo build*', 'git status', 'npm test'] } }),
    );
    expect(result.preapproved.perTool['bash']).toEqual({
      type: 'Bash',
      patterns: ['git status', 'ls*', 'cargo build*', 'npm test'],
    });
  });

  it('merges same-kind DispatchAgent rules', () => {
    const base = policy('prompt', [], {
      dispatch_agent: { type: 'DispatchAgent', agentPatterns: ['explore'] },
    });
    const result = applyPolicyOverrides(
      base,
      overrides([], { dispatch_agent: { type: 'DispatchAgent', agentPatterns: ['explore', 'build-*'] } }),
    );
    expect(dispatchAgentPatternsOf(result)).toEqual(['explore', 'build-*']);
  });

  it('an override of the other kind replaces the base rule', () => {
    const base = policy('prompt', [], { bash: { type: 'Bash', patterns: ['ls'] } });
    const result = applyPolicyOverrides(
      base,
      overrides([], { bash: { type: 'DispatchAgent', agentPatterns: ['x'] } }),
    );
    expect(result.preapproved.perTool['bash']).toEqual({ type: 'DispatchAgent', agentPatterns: ['x'] });
  });

  it('an override for a tool without a base rule is added; other base rules are kept', () => {
    const base = policy('prompt', [], {
      dispatch_agent: { type: 'DispatchAgent', agentPatterns: ['explore'] },
    });
    const result = applyPolicyOverrides(base, overrides([], { bash: { type: 'Bash', patterns: ['ls'] } }));
    expect(result.preapproved.perTool).toEqual({
      dispatch_agent: { type: 'DispatchAgent', agentPatterns: ['explore'] },
      bash: { type: 'Bash', patterns: ['ls'] },
    });
    expect(Object.keys(result.preapproved.perTool)).toEqual(['dispatch_agent', 'bash']);
  });

  it('never changes defaultBehavior', () => {
    for (const d of ['prompt', 'deny', 'allow'] as const) {
      expect(applyPolicyOverrides(policy(d), overrides(['bash'])).defaultBehavior).toBe(d);
    }
  });

  it('empty overrides give an equal copy', () => {
    const base = defaultApprovalPolicy();
    const result = applyPolicyOverrides(base, overrides());
    expect(result).toEqual(base);
    expect(result).not.toBe(base);
    expect(result.preapproved).not.toBe(base.preapproved);
    expect(result.preapproved.tools).not.toBe(base.preapproved.tools);
  });

  it('does not mutate its inputs, and shares no arrays with them', () => {
    const base = policy('prompt', ['grep'], { bash: { type: 'Bash', patterns: ['ls'] } });
    const ov = overrides(['bash'], {
      bash: { type: 'Bash', patterns: ['git*'] },
      dispatch_agent: { type: 'DispatchAgent', agentPatterns: ['explore'] },
    });
    const baseCopy = structuredClone(base);
    const ovCopy = structuredClone(ov);
    const result = applyPolicyOverrides(base, ov);
    expect(base).toEqual(baseCopy);
    expect(ov).toEqual(ovCopy);
    const da = result.preapproved.perTool['dispatch_agent'];
    if (da?.type !== 'DispatchAgent') throw new Error('expected a DispatchAgent rule');
    da.agentPatterns.push('mutated');
    result.preapproved.tools.push('mutated');
    expect(ov).toEqual(ovCopy);
    expect(base).toEqual(baseCopy);
  });

  it('handles exotic tool names such as __proto__ and constructor as plain keys', () => {
    const ov = overrides([], JSON.parse('{"__proto__": {"type": "Bash", "patterns": ["x"]}}'));
    const result = applyPolicyOverrides(policy('prompt'), ov);
    expect(Object.keys(result.preapproved.perTool)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(result.preapproved.perTool)).toBe(Object.prototype);
    expect(bashPatternsOf(policy('prompt', [], {}))).toEqual([]);
    expect(dispatchAgentPatternsOf(policy('prompt'))).toEqual([]);
    expect(toolDecision(policy('deny'), 'constructor')).toBe('Deny');
  });

  it('clonePolicy is a deep copy', () => {
    const base = policy('deny', ['a'], { bash: { type: 'Bash', patterns: ['p'] } });
    const copy = clonePolicy(base);
    expect(copy).toEqual(base);
    const rule = copy.preapproved.perTool['bash'];
    if (rule?.type !== 'Bash') throw new Error('expected a Bash rule');
    rule.patterns.push('q');
    expect(bashPatternsOf(base)).toEqual(['p']);
  });

  const nameArb = fc.constantFrom('bash', 'dispatch_agent', 'grep', 'edit_file', 'x');
  const ruleArb: fc.Arbitrary<ToolRule> = fc.oneof(
    fc.array(fc.constantFrom('ls*', 'git *', 'a', 'b'), { maxLength: 4 }).map((patterns) => ({
      type: 'Bash' as const,
      patterns,
    })),
    fc.array(fc.constantFrom('explore', 'explore-*', 'b'), { maxLength: 3 }).map((agentPatterns) => ({
      type: 'DispatchAgent' as const,
      agentPatterns,
    })),
  );
  const rulesArb = fc.dictionary(nameArb, ruleArb, { maxKeys: 3 });
  const policyArb: fc.Arbitrary<ToolApprovalPolicy> = fc.record({
    defaultBehavior: fc.constantFrom('prompt', 'deny', 'allow'),
    preapproved: fc.record({ tools: fc.array(nameArb, { maxLength: 4 }), perTool: rulesArb }),
  });
  const overridesArb: fc.Arbitrary<ToolApprovalPolicyOverrides> = fc.record({
    preapproved: fc.record({ tools: fc.array(nameArb, { maxLength: 4 }), perTool: rulesArb }),
  });

  it('property: applying the same overrides twice is the same as once (idempotent)', () => {
    fc.assert(
      fc.property(policyArb, overridesArb, (base, ov) => {
        const once = applyPolicyOverrides(base, ov);
        expect(applyPolicyOverrides(once, ov)).toEqual(once);
      }),
    );
  });

  it('property: the result allows every base and override tool, and keeps every base pattern', () => {
    fc.assert(
      fc.property(policyArb, overridesArb, (base, ov) => {
        const result = applyPolicyOverrides(base, ov);
        for (const t of [...base.preapproved.tools, ...ov.preapproved.tools]) {
          expect(toolDecision(result, t)).toBe('Allow');
        }
        expect(new Set(result.preapproved.tools).size).toBe(result.preapproved.tools.length);
        const ovBash = ov.preapproved.perTool['bash'];
        if (ovBash === undefined || ovBash.type === 'Bash') {
          for (const p of bashPatternsOf(base)) expect(bashPatternsOf(result)).toContain(p);
        }
        if (ovBash?.type === 'Bash')
          for (const p of ovBash.patterns) expect(bashPatternsOf(result)).toContain(p);
      }),
    );
  });
});
