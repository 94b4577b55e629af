import { z } from 'zod';

// spec §6: live stream deltas, never persisted. `Lagged` is what a delta subscriber receives in place of
// deltas it was too slow to take (api.md).
export const ToolCallDeltaSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Name'), name: z.string() }),
  z.object({ type: z.literal('ArgumentChunk'), chunk: z.string() }),
]);
export type ToolCallDelta = z.infer<typeof ToolCallDeltaSchema>;

export const StreamDeltaSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('TextChunk'), opId: z.string(), messageId: z.string(), delta: z.string() }),
  z.object({ type: z.literal('ThinkingChunk'), opId: z.string(), messageId: z.string(), delta: z.string() }),
  z.object({
    type: z.literal('ToolCallChunk'),
    opId: z.string(),
    messageId: z.string(),
    toolCallId: z.string(),
    delta: ToolCallDeltaSchema,
  }),
  z.object({ type: z.literal('Reset'), opId: z.string(), messageId: z.string() }),
  z.object({ type: z.literal('Lagged'), dropped: z.number().int().nonnegative() }),
]);
export type StreamDelta = z.infer<typeof StreamDeltaSchema>;

// api.md: the schemas are also exported under the bare names of their types (`SessionEvent.parse(x)`).
export const StreamDelta = StreamDeltaSchema;
