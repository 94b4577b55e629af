import { isBlank } from '../config/whitespace.js';
import { applyPolicyOverrides } from '../policy/approval-policy.js';
import {
  defaultApprovalPolicy,
  READ_ONLY_TOOLS,
  type SessionConfig,
  type ToolApprovalPolicy,
  type ToolVisibility,
} from '../schemas/config.js';
import type { ModelId } from '../schemas/ids.js';
import { PLANNER_PROMPT, systemPromptForModel } from './prompts.js';

/** spec §2.5: a registered primary agent. Registered specs are deeply frozen: copy before changing. */
export interface PrimaryAgentSpec {
  id: string;
  name: string;
  model?: ModelId;
  systemPrompt?: string;
  toolVisibility: ToolVisibility;
  approvalPolicy: ToolApprovalPolicy;
}

/** Appendix B */
export const DEFAULT_PRIMARY_AGENT_ID = 'normal';
/** spec §2.5 / Appendix B: default sub-agent spec id for dispatch-agent decisions. */
export const DEFAULT_SUB_AGENT_ID = 'explore';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** spec §2.5: default policy plus `perTool.dispatch_agent = DispatchAgent{["explore"]}`. */
function normalPolicy(): ToolApprovalPolicy {
  const policy = defaultApprovalPolicy();
  policy.preapproved.perTool['dispatch_agent'] = {
    type: 'DispatchAgent',
    agentPatterns: [DEFAULT_SUB_AGENT_ID],
  };
  return policy;
}

/** spec §2.5: the three registered primary agents, in table order. */
export const PRIMARY_AGENT_SPECS: readonly PrimaryAgentSpec[] = deepFreeze([
  {
    id: 'normal',
    name: 'Normal',
    toolVisibility: { type: 'All' },
    approvalPolicy: normalPolicy(),
  },
  {
    id: 'plan',
    name: 'Plan',
    systemPrompt: PLANNER_PROMPT,
    toolVisibility: { type: 'Whitelist', tools: [...READ_ONLY_TOOLS, 'dispatch_agent'] },
    approvalPolicy: normalPolicy(),
  },
  {
    id: 'yolo',
    name: 'Yolo',
    toolVisibility: { type: 'All' },
    approvalPolicy: { defaultBehavior: 'allow', preapproved: { tools: [], perTool: {} } },
  },
] satisfies PrimaryAgentSpec[]);

/** spec §2.5: look up a registered agent (ids are case-sensitive). */
export function getPrimaryAgent(id: string): PrimaryAgentSpec | undefined {
  return PRIMARY_AGENT_SPECS.find((spec) => spec.id === id);
}

/** spec §2.6 step 5: whether a prompt is byte-equal to a registered agent's prompt. */
export function isKnownAgentPrompt(prompt: string): boolean {
  return PRIMARY_AGENT_SPECS.some((spec) => spec.systemPrompt !== undefined && spec.systemPrompt === prompt);
}

function cloneVisibility(v: ToolVisibility): ToolVisibility {
  return v.type === 'Whitelist' || v.type === 'Blacklist'
    ? { type: v.type, tools: [...v.tools] }
    : { type: v.type };
}

/**
 * spec §2.6 `resolveEffectiveConfig(base)`: the config in force for `base.primaryAgentId` (unknown ids fall
 * back to `normal`). Replaces `primaryAgentId`, `defaultModel`, `toolConfig.visibility`,
 * `toolConfig.approvalPolicy` and `systemPrompt` (always a string afterwards); everything else is copied
 * unchanged. Pure and idempotent; replaced parts are fresh objects, untouched parts are shared with `base`.
 */
export function resolveEffectiveConfig(base: SessionConfig): SessionConfig {
  const spec =
    getPrimaryAgent(base.primaryAgentId ?? DEFAULT_PRIMARY_AGENT_ID) ??
    getPrimaryAgent(DEFAULT_PRIMARY_AGENT_ID)!;
  const overrides = base.policyOverrides;
  const model = overrides?.defaultModel ?? spec.model ?? base.defaultModel;
  const visibility = overrides?.toolVisibility ?? spec.toolVisibility;
  const approvalPolicy = applyPolicyOverrides(
    spec.approvalPolicy,
    overrides?.approvalPolicy ?? { preapproved: { tools: [], perTool: {} } },
  );
  let systemPrompt: string;
  if (spec.systemPrompt !== undefined) systemPrompt = spec.systemPrompt;
  else if (
    base.systemPrompt !== undefined &&
    !isBlank(base.systemPrompt) &&
    !isKnownAgentPrompt(base.systemPrompt)
  )
    systemPrompt = base.systemPrompt;
  else systemPrompt = systemPromptForModel(model);
  return {
    ...base,
    primaryAgentId: spec.id,
    defaultModel: { provider: model.provider, id: model.id },
    toolConfig: { ...base.toolConfig, visibility: cloneVisibility(visibility), approvalPolicy },
    systemPrompt,
  };
}
