import { z } from 'zod';

const u32 = z.number().int().nonnegative();

/** spec §1.3 */
export const TokenUsageSchema = z.object({ inputTokens: u32, outputTokens: u32, totalTokens: u32 });
export type TokenUsage = z.infer<typeof TokenUsageSchema>;

/** spec §1.4 */
export const ContextWindowUsageSchema = z.object({
  maxContextTokens: u32.optional(),
  remainingTokens: u32.optional(),
  utilizationRatio: z.number().optional(),
  estimated: z.boolean().default(false),
});
export type ContextWindowUsage = z.infer<typeof ContextWindowUsageSchema>;
