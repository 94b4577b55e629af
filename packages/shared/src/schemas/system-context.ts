import { z } from 'zod';

/** spec §1.10: environment facts gathered from the workspace (Shoal keeps working directory, platform, date). */
export const EnvironmentInfoSchema = z.object({
  workingDirectory: z.string(),
  platform: z.string(),
  date: z.string(),
});
export type EnvironmentInfo = z.infer<typeof EnvironmentInfoSchema>;

export const SystemContextSchema = z.object({
  prompt: z.string(),
  environment: EnvironmentInfoSchema.optional(),
});
export type SystemContext = z.infer<typeof SystemContextSchema>;

/** spec §1.10: the trimmed prompt and trimmed environment text joined by a blank line; empty → no text. */
export function renderSystemContext(ctx: SystemContext | undefined): string | undefined {
  if (!ctx) return undefined;
  // A session's context object is reused for every model call; render it once while it is in use.
  const hit = rendered.get(ctx);
  if (hit !== undefined || rendered.has(ctx)) return hit;
  const text = render(ctx);
  if (rendered.size >= RENDERED_LIMIT) rendered.delete(rendered.keys().next().value as SystemContext);
  rendered.set(ctx, text);
  return text;
}

/**
 * Recently rendered contexts, oldest first out. Bounded rather than one entry per context object: the text
 * would otherwise stay alive for every resident session, while rendering it again for a session that fell out
 * is cheap.
 */
const RENDERED_LIMIT = 256;
const rendered = new Map<SystemContext, string | undefined>();

function render(ctx: SystemContext): string | undefined {
  const env = ctx.environment
    ? `Working directory: ${ctx.environment.workingDirectory}\nPlatform: ${ctx.environment.platform}\nDate: ${ctx.environment.date}`
    : '';
  const parts = [ctx.prompt.trim(), env.trim()].filter((p) => p.length > 0);
  return parts.length > 0 ? parts.join('\n\n') : undefined;
}
