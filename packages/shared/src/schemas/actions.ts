import { z } from 'zod';
import { AssistantContentSchema, ToolCallSchema, ToolSchemaSchema, UserContentSchema } from './content.js';
import { SessionEventSchema } from './events.js';
import { ModelIdSchema } from './ids.js';
import { JsonValueSchema } from './json-value.js';
import { ApprovalDecisionSchema, ApprovalMemorySchema, McpServerStateSchema } from './operation.js';
import { ToolOutcomeSchema } from './tool-result.js';
import { TokenUsageSchema } from './usage.js';

const sid = { sessionId: z.string().min(1) };
const id = z.string().min(1);
const ts = z.number().int().nonnegative();

// spec §3.1: every action. Deliberate change 4: `ToolExecutionStarted`/`ToolResult` carry the op id that
// issued the tool call, so a result for an op other than the current one is ignored.
export const ActionSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('UserInput'),
    ...sid,
    content: z.array(UserContentSchema),
    opId: id,
    messageId: id,
    model: ModelIdSchema,
    timestamp: ts,
  }),
  z.object({
    type: z.literal('UserEditedMessage'),
    ...sid,
    messageId: id,
    newContent: z.array(UserContentSchema),
    opId: id,
    newMessageId: id,
    model: ModelIdSchema,
    timestamp: ts,
  }),
  z.object({ type: z.literal('ToolApprovalRequested'), ...sid, requestId: id, toolCall: ToolCallSchema }),
  z.object({
    type: z.literal('ToolApprovalDecided'),
    ...sid,
    requestId: id,
    decision: ApprovalDecisionSchema,
    remember: ApprovalMemorySchema.optional(),
  }),
  z.object({
    type: z.literal('ToolExecutionStarted'),
    ...sid,
    opId: id,
    toolCallId: z.string(),
    toolName: z.string(),
    toolParameters: JsonValueSchema,
  }),
  z.object({
    type: z.literal('ToolResult'),
    ...sid,
    opId: id,
    toolCallId: z.string(),
    toolName: z.string(),
    result: ToolOutcomeSchema,
  }),
  z.object({ type: z.literal('ToolSchemasAvailable'), ...sid, tools: z.array(ToolSchemaSchema) }),
  z.object({
    type: z.literal('ToolSchemasUpdated'),
    ...sid,
    schemas: z.array(ToolSchemaSchema),
    source: JsonValueSchema.optional(),
  }),
  z.object({ type: z.literal('SwitchPrimaryAgent'), ...sid, agentId: z.string() }),
  z.object({
    type: z.literal('McpServerStateChanged'),
    ...sid,
    serverName: z.string(),
    state: McpServerStateSchema,
  }),
  z.object({
    type: z.literal('ModelResponseComplete'),
    ...sid,
    opId: id,
    messageId: id,
    content: z.array(AssistantContentSchema),
    usage: TokenUsageSchema.optional(),
    contextWindowTokens: z.number().int().nonnegative().optional(),
    configuredMaxOutputTokens: z.number().int().nonnegative().optional(),
    timestamp: ts,
  }),
  z.object({ type: z.literal('ModelResponseError'), ...sid, opId: id, error: z.string() }),
  z.object({ type: z.literal('SessionTitleGenerated'), ...sid, title: z.string() }),
  z.object({ type: z.literal('SessionTitleGenerationFailed'), ...sid, error: z.string() }),
  z.object({ type: z.literal('Cancel'), ...sid, opId: z.string().optional() }),
  z.object({
    type: z.literal('DirectBashCommand'),
    ...sid,
    opId: id,
    messageId: id,
    command: z.string(),
    timestamp: ts,
  }),
  z.object({ type: z.literal('DequeueQueuedItem'), ...sid }),
  z.object({ type: z.literal('DrainQueuedWork'), ...sid }),
  z.object({ type: z.literal('RequestCompaction'), ...sid, opId: id, model: ModelIdSchema }),
  z.object({ type: z.literal('Shutdown') }),
  z.object({
    type: z.literal('Hydrate'),
    ...sid,
    events: z.array(SessionEventSchema),
    startingSequence: z.number().int().nonnegative(),
  }),
  z.object({ type: z.literal('WorkspaceFilesListed'), ...sid, files: z.array(z.string()) }),
  z.object({
    type: z.literal('CompactionComplete'),
    ...sid,
    opId: id,
    compactionId: id,
    summaryMessageId: id,
    summary: z.string(),
    compactedHeadMessageId: z.string(),
    previousActiveMessageId: z.string().optional(),
    model: z.string(),
    timestamp: ts,
  }),
  z.object({ type: z.literal('CompactionFailed'), ...sid, opId: id, error: z.string() }),
]);
export type Action = z.infer<typeof ActionSchema>;
export type ActionType = Action['type'];
export type ActionOf<T extends ActionType> = Extract<Action, { type: T }>;

/** spec §3.1 helper: the session id of every action except `Shutdown`. */
export const sessionIdOf = (a: Action): string | undefined =>
  a.type === 'Shutdown' ? undefined : a.sessionId;

// api.md: the schemas are also exported under the bare names of their types (`SessionEvent.parse(x)`).
export const Action = ActionSchema;
