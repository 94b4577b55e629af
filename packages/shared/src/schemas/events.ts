import { z } from 'zod';
import { SessionConfigSchema } from './config.js';
import { ToolCallSchema } from './content.js';
import { ModelIdSchema } from './ids.js';
import { JsonValueSchema } from './json-value.js';
import { AssistantMessageSchema, MessageSchema, ToolMessageSchema, UserMessageSchema } from './message.js';
import {
  ApprovalDecisionSchema,
  ApprovalMemorySchema,
  CompactionRecordSchema,
  CompactResultSchema,
  CompactTriggerSchema,
  McpServerStateSchema,
  OperationKindSchema,
} from './operation.js';
import { QueuedWorkItemSnapshotSchema } from './queue.js';
import { ToolResultSchema } from './tool-result.js';
import { ContextWindowUsageSchema, TokenUsageSchema } from './usage.js';

/**
 * Why an operation was cancelled: `user` (a `Cancel` action), `suspended` (deliberate change 10) or
 * `interrupted` (the process stopped mid-operation and resume closed it, deliberate change 6).
 */
export const CancelReasonSchema = z.enum(['user', 'suspended', 'interrupted']);
export type CancelReason = z.infer<typeof CancelReasonSchema>;

/**
 * Why a config changed. Deliberate change 3: a generated `title` only sets the title (approvals survive), while
 * an `agent_switch` (or an update without a reason) applies the config in full (spec §2.8), in live reduce and
 * in replay alike.
 */
export const ConfigUpdateReasonSchema = z.enum(['agent_switch', 'title']);
export type ConfigUpdateReason = z.infer<typeof ConfigUpdateReasonSchema>;

export const CancellationInfoSchema = z.object({
  pendingToolCalls: z.number().int().nonnegative(),
  poppedQueuedItem: QueuedWorkItemSnapshotSchema.optional(),
});
export type CancellationInfo = z.infer<typeof CancellationInfoSchema>;

// spec §4.1: every persisted event.
export const SessionEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('SessionCreated'),
    config: SessionConfigSchema,
    metadata: z.record(z.string(), z.string()),
    parentSessionId: z.string().optional(),
  }),
  z.object({
    type: z.literal('SessionConfigUpdated'),
    config: SessionConfigSchema,
    primaryAgentId: z.string(),
    reason: ConfigUpdateReasonSchema.optional(),
  }),
  z.object({
    type: z.literal('AssistantMessageAdded'),
    message: AssistantMessageSchema,
    model: ModelIdSchema,
  }),
  z.object({ type: z.literal('UserMessageAdded'), message: UserMessageSchema }),
  z.object({ type: z.literal('ToolMessageAdded'), message: ToolMessageSchema }),
  z.object({
    type: z.literal('LlmUsageUpdated'),
    opId: z.string(),
    model: ModelIdSchema,
    usage: TokenUsageSchema,
    contextWindow: ContextWindowUsageSchema.optional(),
  }),
  z.object({ type: z.literal('MessageUpdated'), message: MessageSchema }),
  z.object({
    type: z.literal('ToolCallStarted'),
    id: z.string(),
    name: z.string(),
    parameters: JsonValueSchema,
    model: ModelIdSchema,
  }),
  z.object({
    type: z.literal('ToolCallCompleted'),
    id: z.string(),
    name: z.string(),
    result: ToolResultSchema,
    model: ModelIdSchema,
  }),
  z.object({
    type: z.literal('ToolCallFailed'),
    id: z.string(),
    name: z.string(),
    error: z.string(),
    model: ModelIdSchema,
  }),
  z.object({ type: z.literal('ApprovalRequested'), requestId: z.string(), toolCall: ToolCallSchema }),
  z.object({
    type: z.literal('ApprovalDecided'),
    requestId: z.string(),
    decision: ApprovalDecisionSchema,
    remember: ApprovalMemorySchema.optional(),
  }),
  z.object({ type: z.literal('OperationStarted'), opId: z.string(), kind: OperationKindSchema }),
  z.object({ type: z.literal('OperationCompleted'), opId: z.string() }),
  z.object({
    type: z.literal('OperationCancelled'),
    opId: z.string(),
    info: CancellationInfoSchema,
    reason: CancelReasonSchema.optional(),
  }),
  z.object({ type: z.literal('CompactResult'), result: CompactResultSchema, trigger: CompactTriggerSchema }),
  z.object({ type: z.literal('ConversationCompacted'), record: CompactionRecordSchema }),
  z.object({ type: z.literal('WorkspaceChanged') }),
  // spec §4.1 / §4.3: the whole queue. Not emitted (QueuedWorkAdded is); replay still reads it.
  z.object({ type: z.literal('QueueUpdated'), queue: z.array(QueuedWorkItemSnapshotSchema) }),
  // Shoal's change to spec §3.3.1 / §3.3.12 / §3.2.5 / §3.3.14-15, which emit `QueueUpdated` with the whole
  // queue on every change: a queue change stores only what changed. An input queued while busy is
  // `QueuedWorkAdded` (the input itself; replay merges it into the tail by the same §2.7 rule), and taking
  // the head off (drain, dequeue, cancel) is `QueuedWorkRemoved`. With the whole queue stored each time,
  // n merged inputs wrote O(n²) bytes (1,500 inputs of 1 KB made 2.3 GB of log).
  z.object({ type: z.literal('QueuedWorkAdded'), item: QueuedWorkItemSnapshotSchema }),
  z.object({ type: z.literal('QueuedWorkRemoved'), opId: z.string() }),
  z.object({ type: z.literal('Error'), message: z.string() }),
  z.object({ type: z.literal('McpServerStateChanged'), serverName: z.string(), state: McpServerStateSchema }),
]);
export type SessionEvent = z.infer<typeof SessionEventSchema>;
export type SessionEventType = SessionEvent['type'];
export type EventOf<T extends SessionEventType> = Extract<SessionEvent, { type: T }>;

/** api.md `StoredEvent`: an event with its per-session sequence number (from 0, no gaps). */
export interface StoredEvent {
  seq: number;
  event: SessionEvent;
}

// api.md: the schemas are also exported under the bare names of their types (`SessionEvent.parse(x)`).
export const SessionEvent = SessionEventSchema;
