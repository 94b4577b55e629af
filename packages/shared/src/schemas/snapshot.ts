import { z } from 'zod';
import { SessionConfigSchema } from './config.js';
import { ToolCallSchema } from './content.js';
import { MessageSchema } from './message.js';
import { OperationKindSchema } from './operation.js';
import { QueuedWorkItemSnapshotSchema } from './queue.js';
import { TokenUsageSchema } from './usage.js';

/** api.md `getSessionState`: a plain, structured-cloneable view of one session. */
export const SessionStateSnapshotSchema = z.object({
  sessionId: z.string(),
  config: SessionConfigSchema.nullable(),
  primaryAgentId: z.string().nullable(),
  title: z.string().nullable(),
  /** the active thread (spec §1.9), root-most first */
  messages: z.array(MessageSchema),
  /** every message in the graph, all branches included */
  messageCount: z.number().int().nonnegative(),
  activeMessageId: z.string().nullable(),
  queuedWork: z.array(QueuedWorkItemSnapshotSchema),
  currentOperation: z
    .object({ opId: z.string(), kind: OperationKindSchema, pendingToolCalls: z.array(z.string()) })
    .nullable(),
  pendingApproval: z.object({ requestId: z.string(), toolCall: ToolCallSchema }).nullable(),
  approvalQueueLength: z.number().int().nonnegative(),
  approvedTools: z.array(z.string()),
  approvedBashPatterns: z.array(z.string()),
  usageTotals: TokenUsageSchema,
  eventSequence: z.number().int().nonnegative(),
  toolNames: z.array(z.string()),
});
export type SessionStateSnapshot = z.infer<typeof SessionStateSnapshotSchema>;

// api.md: the schemas are also exported under the bare names of their types (`SessionEvent.parse(x)`).
export const SessionStateSnapshot = SessionStateSnapshotSchema;
