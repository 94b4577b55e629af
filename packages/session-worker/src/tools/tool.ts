import type { ToolResult } from '@shoal/shared';
import type { z } from 'zod';

/** What every tool run gets: the session workspace (cwd and confinement root) and the op's token (§5.0). */
export interface ToolContext {
  workspace: string;
  signal: AbortSignal;
}

/**
 * One built-in tool. `params` validates the model's parameters; `inputSchema` is the JSON Schema the model is
 * shown (spec §1.5), derived from `params`. `run` returns the result or throws a ToolFailure (→ Execution).
 */
export interface Tool<P = unknown> {
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  readonly params: z.ZodType<P>;
  run(params: P, ctx: ToolContext): Promise<ToolResult>;
}
