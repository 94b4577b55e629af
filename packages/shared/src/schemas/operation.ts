import { z } from 'zod';
import { ToolSchemaSchema } from './content.js';

// spec §1.10
export const CompactTriggerSchema = z.enum(['Manual', 'Auto']);
export type CompactTrigger = z.infer<typeof CompactTriggerSchema>;

export const OperationKindSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('AgentLoop') }),
  z.object({ type: z.literal('Compact'), trigger: CompactTriggerSchema }),
  z.object({ type: z.literal('DirectBash'), command: z.string() }),
]);
export type OperationKind = z.infer<typeof OperationKindSchema>;

export const CompactResultSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Success'), summary: z.string() }),
  z.object({ type: z.literal('Failed'), error: z.string() }),
  z.object({ type: z.literal('Cancelled') }),
  z.object({ type: z.literal('InsufficientMessages') }),
]);
export type CompactResult = z.infer<typeof CompactResultSchema>;

export const CompactionRecordSchema = z.object({
  id: z.string(),
  summaryMessageId: z.string(),
  compactedHeadMessageId: z.string(),
  previousActiveMessageId: z.string().optional(),
  model: z.string(),
  createdAt: z.string(),
});
export type CompactionRecord = z.infer<typeof CompactionRecordSchema>;

export const ApprovalDecisionSchema = z.enum(['Approved', 'Denied']);
export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;

export const ApprovalMemorySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Tool'), toolName: z.string().min(1) }),
  z.object({ type: z.literal('BashPattern'), pattern: z.string().min(1) }),
  z.object({ type: z.literal('PendingTool') }),
]);
export type ApprovalMemory = z.infer<typeof ApprovalMemorySchema>;

export const McpServerStateSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Connecting') }),
  z.object({ type: z.literal('Connected'), tools: z.array(ToolSchemaSchema) }),
  z.object({ type: z.literal('Disconnected'), error: z.string().optional() }),
  z.object({ type: z.literal('Failed'), error: z.string() }),
]);
export type McpServerState = z.infer<typeof McpServerStateSchema>;
