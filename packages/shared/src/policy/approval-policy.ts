import type { ToolApprovalPolicy, ToolApprovalPolicyOverrides, ToolRule } from '../schemas/config.js';

/** spec §2.3: the policy's verdict for a tool name. */
export type ToolDecision = 'Allow' | 'Ask' | 'Deny';

export const BASH_TOOL_NAME = 'bash';
export const DISPATCH_AGENT_TOOL_NAME = 'dispatch_agent';

/** Own-property lookup: `perTool` is a plain record, so `constructor`/`__proto__` must not hit the prototype. */
function ruleOf(policy: ToolApprovalPolicy, toolName: string): ToolRule | undefined {
  const perTool = policy.preapproved.perTool;
  return Object.hasOwn(perTool, toolName) ? perTool[toolName] : undefined;
}

/** spec §2.3 `toolDecision(name)`: pre-approved → Allow; else by `defaultBehavior`. */
export function toolDecision(policy: ToolApprovalPolicy, toolName: string): ToolDecision {
  if (policy.preapproved.tools.includes(toolName)) return 'Allow';
  switch (policy.defaultBehavior) {
    case 'prompt':
      return 'Ask';
    case 'deny':
      return 'Deny';
    case 'allow':
      return 'Allow';
  }
}

/** spec §2.3: bash patterns live in `perTool.bash` when it is a `Bash` rule (otherwise none). */
export function bashPatternsOf(policy: ToolApprovalPolicy): string[] {
  const rule = ruleOf(policy, BASH_TOOL_NAME);
  return rule?.type === 'Bash' ? [...rule.patterns] : [];
}

/** spec §2.3: dispatch-agent patterns live in `perTool.dispatch_agent` when it is a `DispatchAgent` rule. */
export function dispatchAgentPatternsOf(policy: ToolApprovalPolicy): string[] {
  const rule = ruleOf(policy, DISPATCH_AGENT_TOOL_NAME);
  return rule?.type === 'DispatchAgent' ? [...rule.agentPatterns] : [];
}

/** Order-preserving union without duplicates (first occurrence wins). */
function unionInOrder(...lists: readonly (readonly string[])[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const list of lists) {
    for (const item of list) {
      if (!seen.has(item)) {
        seen.add(item);
        out.push(item);
      }
    }
  }
  return out;
}

/** Assign an own enumerable property, also for exotic keys such as `__proto__`. */
function setOwn(record: Record<string, ToolRule>, key: string, value: ToolRule): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

function copyRule(rule: ToolRule): ToolRule {
  return rule.type === 'Bash'
    ? { type: 'Bash', patterns: unionInOrder(rule.patterns) }
    : { type: 'DispatchAgent', agentPatterns: unionInOrder(rule.agentPatterns) };
}

function mergeRule(base: ToolRule | undefined, override: ToolRule): ToolRule {
  if (base?.type === 'Bash' && override.type === 'Bash') {
    return { type: 'Bash', patterns: unionInOrder(base.patterns, override.patterns) };
  }
  if (base?.type === 'DispatchAgent' && override.type === 'DispatchAgent') {
    return { type: 'DispatchAgent', agentPatterns: unionInOrder(base.agentPatterns, override.agentPatterns) };
  }
  // No base rule, or a rule of the other kind: the override replaces it.
  return copyRule(override);
}

/** A deep copy of a policy (fresh arrays and rule objects). */
export function clonePolicy(policy: ToolApprovalPolicy): ToolApprovalPolicy {
  const perTool: Record<string, ToolRule> = {};
  for (const [name, rule] of Object.entries(policy.preapproved.perTool))
    setOwn(perTool, name, copyRule(rule));
  return {
    defaultBehavior: policy.defaultBehavior,
    preapproved: { tools: unionInOrder(policy.preapproved.tools), perTool },
  };
}

/**
 * spec §2.3 "Applying overrides to a base policy": copy the base; union the override tools into the
 * pre-approved tools; merge same-kind per-tool rules (base patterns first, then new override patterns),
 * otherwise the override rule replaces the base rule; `defaultBehavior` is never changed.
 * Lists come out without duplicates, in first-occurrence order. Inputs are never mutated.
 */
export function applyPolicyOverrides(
  base: ToolApprovalPolicy,
  overrides: ToolApprovalPolicyOverrides,
): ToolApprovalPolicy {
  const result = clonePolicy(base);
  result.preapproved.tools = unionInOrder(result.preapproved.tools, overrides.preapproved.tools);
  const perTool = result.preapproved.perTool;
  for (const [name, rule] of Object.entries(overrides.preapproved.perTool)) {
    const existing = Object.hasOwn(perTool, name) ? perTool[name] : undefined;
    setOwn(perTool, name, mergeRule(existing, rule));
  }
  return result;
}
