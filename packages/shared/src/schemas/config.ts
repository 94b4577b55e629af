import { z } from 'zod';
import { ModelIdSchema } from './ids.js';
import { JsonValueSchema } from './json-value.js';

// spec §2.4
export const ToolVisibilitySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('All') }),
  z.object({ type: z.literal('ReadOnly') }),
  z.object({ type: z.literal('Whitelist'), tools: z.array(z.string()) }),
  z.object({ type: z.literal('Blacklist'), tools: z.array(z.string()) }),
]);
export type ToolVisibility = z.infer<typeof ToolVisibilitySchema>;

// spec §2.3: per-tool rules. Sets are arrays on the wire (ordered, de-duplicated by the code that builds them).
export const ToolRuleSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Bash'), patterns: z.array(z.string()) }),
  z.object({ type: z.literal('DispatchAgent'), agentPatterns: z.array(z.string()) }),
]);
export type ToolRule = z.infer<typeof ToolRuleSchema>;

export const ApprovalRulesSchema = z.object({
  tools: z.array(z.string()).default([]),
  perTool: z.record(z.string(), ToolRuleSchema).default({}),
});
export type ApprovalRules = z.infer<typeof ApprovalRulesSchema>;

export const DefaultBehaviorSchema = z.enum(['prompt', 'deny', 'allow']);
export type DefaultBehavior = z.infer<typeof DefaultBehaviorSchema>;

export const ToolApprovalPolicySchema = z.object({
  defaultBehavior: DefaultBehaviorSchema,
  preapproved: ApprovalRulesSchema,
});
export type ToolApprovalPolicy = z.infer<typeof ToolApprovalPolicySchema>;

export const ToolApprovalPolicyOverridesSchema = z.object({
  preapproved: ApprovalRulesSchema.default({ tools: [], perTool: {} }),
});
export type ToolApprovalPolicyOverrides = z.infer<typeof ToolApprovalPolicyOverridesSchema>;

export const SessionPolicyOverridesSchema = z.object({
  defaultModel: ModelIdSchema.optional(),
  toolVisibility: ToolVisibilitySchema.optional(),
  approvalPolicy: ToolApprovalPolicyOverridesSchema.default({ preapproved: { tools: [], perTool: {} } }),
});
export type SessionPolicyOverrides = z.infer<typeof SessionPolicyOverridesSchema>;
export type SessionPolicyOverridesInput = z.input<typeof SessionPolicyOverridesSchema>;

// spec §2.2 (MCP backends are out of scope but kept in the type so configs round-trip).
export const McpToolFilterSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('All') }),
  z.object({ type: z.literal('Include'), tools: z.array(z.string()) }),
  z.object({ type: z.literal('Exclude'), tools: z.array(z.string()) }),
]);
export const BackendConfigSchema = z.object({
  type: z.literal('Mcp'),
  serverName: z.string(),
  transport: JsonValueSchema,
  toolFilter: McpToolFilterSchema,
});
export type BackendConfig = z.infer<typeof BackendConfigSchema>;

/** spec §2.3 / Appendix B: the read-only tool set. */
export const READ_ONLY_TOOLS: readonly string[] = [
  'grep',
  'astgrep',
  'glob',
  'ls',
  'read_file',
  'read_todos',
  'write_todos',
];

/** spec §2.3: the default policy (prompt, read-only tools pre-approved). Returns a fresh object. */
export const defaultApprovalPolicy = (): ToolApprovalPolicy => ({
  defaultBehavior: 'prompt',
  preapproved: { tools: [...READ_ONLY_TOOLS], perTool: {} },
});

export const SessionToolConfigSchema = z.object({
  backends: z.array(BackendConfigSchema).default([]),
  visibility: ToolVisibilitySchema.default({ type: 'All' }),
  approvalPolicy: ToolApprovalPolicySchema.default(defaultApprovalPolicy),
  metadata: z.record(z.string(), z.string()).default({}),
});
export type SessionToolConfig = z.infer<typeof SessionToolConfigSchema>;

export const WorkspaceConfigSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('local'), path: z.string().min(1) }),
  z.object({
    type: z.literal('remote'),
    agentAddress: z.string(),
    auth: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('Bearer'), token: z.string() }),
        z.object({ type: z.literal('ApiKey'), key: z.string() }),
      ])
      .optional(),
  }),
]);
export type WorkspaceConfig = z.infer<typeof WorkspaceConfigSchema>;

export const AutoCompactionConfigSchema = z.object({
  enabled: z.boolean(),
  thresholdPercent: z.number().int().min(0).max(100),
});
export type AutoCompactionConfig = z.infer<typeof AutoCompactionConfigSchema>;

/** spec §2.1: the full, stored session config (what `SessionCreated` records). */
export const SessionConfigSchema = z.object({
  workspace: WorkspaceConfigSchema,
  parentSessionId: z.string().optional(),
  workspaceName: z.string().optional(),
  toolConfig: SessionToolConfigSchema,
  systemPrompt: z.string().optional(),
  primaryAgentId: z.string().optional(),
  policyOverrides: SessionPolicyOverridesSchema.default({
    approvalPolicy: { preapproved: { tools: [], perTool: {} } },
  }),
  title: z.string().optional(),
  metadata: z.record(z.string(), z.string()).default({}),
  defaultModel: ModelIdSchema,
  autoCompaction: AutoCompactionConfigSchema.default({ enabled: true, thresholdPercent: 90 }),
});
export type SessionConfig = z.infer<typeof SessionConfigSchema>;

export const DEFAULT_MODEL = { provider: 'simulated', id: 'sim' } as const;
export const PRIMARY_AGENT_IDS = ['normal', 'plan', 'yolo'] as const;

/**
 * api.md `SessionConfigInput`: what `Runtime.createSession` accepts. Every field is optional; defaults are
 * filled in by `sessionConfigFromInput` and recorded in `SessionCreated`.
 */
export const SessionConfigInputSchema = z
  .object({
    workspace: z.object({ type: z.literal('local'), path: z.string().min(1) }).optional(),
    defaultModel: ModelIdSchema.optional(),
    primaryAgentId: z.enum(PRIMARY_AGENT_IDS).optional(),
    systemPrompt: z.string().optional(),
    policyOverrides: SessionPolicyOverridesSchema.optional(),
    autoCompaction: AutoCompactionConfigSchema.optional(),
    title: z.string().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
  })
  .strict();
export type SessionConfigInput = z.input<typeof SessionConfigInputSchema>;

// api.md: the schemas are also exported under the bare names of their types (`SessionEvent.parse(x)`).
export const SessionConfig = SessionConfigSchema;
