import { systemPromptForModel } from '../agents/prompts.js';
import {
  DEFAULT_MODEL,
  defaultApprovalPolicy,
  type SessionConfig,
  type SessionConfigInput,
  SessionConfigInputSchema,
} from '../schemas/config.js';
import { isBlank } from './whitespace.js';

/** spec §2.1 / Appendix B: auto-compaction defaults. */
export const DEFAULT_AUTO_COMPACTION = { enabled: true, thresholdPercent: 90 } as const;

/**
 * api.md `SessionConfigInput` → the base `SessionConfig` recorded in `SessionCreated` (spec §2.1 defaults).
 * Throws the `ZodError` of `SessionConfigInputSchema` on bad input (the caller maps it to `INVALID_INPUT`).
 * The result is the *base* config: resolving the agent (§2.6) is the reducer's job.
 */
export function sessionConfigFromInput(
  input: SessionConfigInput | undefined,
  defaults: { workspacePath: string },
): SessionConfig {
  const parsed = SessionConfigInputSchema.parse(input ?? {});
  const config: SessionConfig = {
    workspace: parsed.workspace
      ? { type: 'local', path: parsed.workspace.path }
      : { type: 'local', path: defaults.workspacePath },
    toolConfig: {
      backends: [],
      visibility: { type: 'All' },
      approvalPolicy: defaultApprovalPolicy(),
      metadata: {},
    },
    primaryAgentId: parsed.primaryAgentId ?? 'normal',
    policyOverrides: parsed.policyOverrides ?? {
      approvalPolicy: { preapproved: { tools: [], perTool: {} } },
    },
    metadata: { ...(parsed.metadata ?? {}) },
    defaultModel: parsed.defaultModel ?? { ...DEFAULT_MODEL },
    autoCompaction: parsed.autoCompaction ?? { ...DEFAULT_AUTO_COMPACTION },
  };
  if (parsed.systemPrompt !== undefined) config.systemPrompt = parsed.systemPrompt;
  if (parsed.title !== undefined) config.title = parsed.title;
  return config;
}

/** spec §8.4 step 1: the config's own prompt if non-blank, else the default prompt for its model. */
export function resolveSystemPrompt(config: Pick<SessionConfig, 'systemPrompt' | 'defaultModel'>): string {
  return config.systemPrompt !== undefined && !isBlank(config.systemPrompt)
    ? config.systemPrompt
    : systemPromptForModel(config.defaultModel);
}
