import { z } from 'zod';
import { AssistantContentSchema, UserContentSchema } from './content.js';
import { ToolResultSchema } from './tool-result.js';

// spec §1.8 / api.md: messages are discriminated by `role`.
const base = {
  id: z.string().min(1),
  parentMessageId: z.string().nullable(),
  timestamp: z.number().int().nonnegative(),
};
export const UserMessageSchema = z.object({
  role: z.literal('user'),
  ...base,
  content: z.array(UserContentSchema),
});
export const AssistantMessageSchema = z.object({
  role: z.literal('assistant'),
  ...base,
  content: z.array(AssistantContentSchema),
});
export const ToolMessageSchema = z.object({
  role: z.literal('tool'),
  ...base,
  toolUseId: z.string(),
  result: ToolResultSchema,
});
export const MessageSchema = z.discriminatedUnion('role', [
  UserMessageSchema,
  AssistantMessageSchema,
  ToolMessageSchema,
]);
export type UserMessage = z.infer<typeof UserMessageSchema>;
export type AssistantMessage = z.infer<typeof AssistantMessageSchema>;
export type ToolMessage = z.infer<typeof ToolMessageSchema>;
export type Message = z.infer<typeof MessageSchema>;

// api.md: the schemas are also exported under the bare names of their types (`SessionEvent.parse(x)`).
export const Message = MessageSchema;
