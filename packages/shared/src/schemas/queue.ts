import { z } from 'zod';
import { UserContentSchema } from './content.js';
import { ModelIdSchema } from './ids.js';

/**
 * spec §3.2.6 / §4.1: a queue entry as events carry it. Deliberate change 5: user-message entries also
 * carry `userContent` (the full content, images included) so replay restores the queue exactly (§11.28).
 */
export const QueuedWorkItemSnapshotSchema = z.object({
  kind: z.enum(['UserMessage', 'DirectBash']).optional(),
  content: z.string(),
  queuedAt: z.number().int().nonnegative(),
  model: ModelIdSchema.optional(),
  opId: z.string(),
  messageId: z.string(),
  attachmentCount: z.number().int().nonnegative().default(0),
  userContent: z.array(UserContentSchema).optional(),
});
export type QueuedWorkItemSnapshot = z.infer<typeof QueuedWorkItemSnapshotSchema>;
