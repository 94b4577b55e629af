import { z } from 'zod';
import { JsonObjectSchema, JsonValueSchema } from './json-value.js';

// spec §1.8: conversation content. Unions are discriminated by `type` (api.md).
export const ImageSourceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('session_file'), relativePath: z.string() }),
  z.object({ type: z.literal('data_url'), dataUrl: z.string() }),
  z.object({ type: z.literal('url'), url: z.string() }),
]);
export type ImageSource = z.infer<typeof ImageSourceSchema>;

export const ImageContentSchema = z.object({
  mimeType: z.string(),
  source: ImageSourceSchema,
  width: z.number().int().nonnegative().optional(),
  height: z.number().int().nonnegative().optional(),
  bytes: z.number().int().nonnegative().optional(),
  sha256: z.string().optional(),
});
export type ImageContent = z.infer<typeof ImageContentSchema>;

export const ThoughtContentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('simple'), text: z.string() }),
  z.object({ type: z.literal('signed'), text: z.string(), signature: z.string() }),
  z.object({ type: z.literal('redacted'), data: z.string() }),
]);
export type ThoughtContent = z.infer<typeof ThoughtContentSchema>;

/** spec §1.8: display text of a thought. */
export const thoughtDisplayText = (t: ThoughtContent): string =>
  t.type === 'redacted' ? '[Redacted Thinking]' : t.text;

/** spec §1.5 */
export const ToolCallSchema = z.object({ id: z.string(), name: z.string(), parameters: JsonValueSchema });
export type ToolCall = z.infer<typeof ToolCallSchema>;

export const UserContentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('image'), image: ImageContentSchema }),
  z.object({
    type: z.literal('command_execution'),
    command: z.string(),
    stdout: z.string(),
    stderr: z.string(),
    exitCode: z.number().int(),
  }),
]);
export type UserContent = z.infer<typeof UserContentSchema>;

export const AssistantContentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('image'), image: ImageContentSchema }),
  z.object({
    type: z.literal('tool_call'),
    toolCall: ToolCallSchema,
    thoughtSignature: z.string().optional(),
  }),
  z.object({ type: z.literal('thought'), thought: ThoughtContentSchema }),
]);
export type AssistantContent = z.infer<typeof AssistantContentSchema>;

/** spec §1.5 */
export const ToolSchemaSchema = z.object({
  name: z.string(),
  displayName: z.string().default(''),
  description: z.string(),
  inputSchema: JsonObjectSchema,
});
export type ToolSchema = z.infer<typeof ToolSchemaSchema>;

// api.md: the schemas are also exported under the bare names of their types (`SessionEvent.parse(x)`).
export const UserContent = UserContentSchema;
export const AssistantContent = AssistantContentSchema;
export const ToolCall = ToolCallSchema;
