import { z } from 'zod';

// spec §1.1: ids are bare strings on the wire. Session, op and request ids are UUIDs when Shoal mints
// them; message and tool-call ids are arbitrary non-empty strings (providers choose tool-call ids).
export const SessionIdSchema = z.string().min(1).max(200);
export type SessionId = z.infer<typeof SessionIdSchema>;
export const OpIdSchema = z.string().min(1).max(200);
export type OpId = z.infer<typeof OpIdSchema>;
export const MessageIdSchema = z.string().min(1).max(400);
export type MessageId = z.infer<typeof MessageIdSchema>;
export const RequestIdSchema = z.string().min(1).max(200);
export type RequestId = z.infer<typeof RequestIdSchema>;
export const ToolCallIdSchema = z.string().max(400);
export type ToolCallId = z.infer<typeof ToolCallIdSchema>;

/** spec §1.2: structural equality on both fields; display form is `provider/id`. */
export const ModelIdSchema = z.object({ provider: z.string().min(1), id: z.string().min(1) });
export type ModelId = z.infer<typeof ModelIdSchema>;

export const modelIdEquals = (a: ModelId, b: ModelId): boolean => a.provider === b.provider && a.id === b.id;
export const displayModelId = (m: ModelId): string => `${m.provider}/${m.id}`;

// api.md: the schemas are also exported under the bare names of their types (`SessionEvent.parse(x)`).
export const SessionId = SessionIdSchema;
export const OpId = OpIdSchema;
export const MessageId = MessageIdSchema;
export const RequestId = RequestIdSchema;
export const ModelId = ModelIdSchema;
