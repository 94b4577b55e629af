import { mkdir } from 'node:fs/promises';
import type { ToolCall, ToolOutcome, ToolSchema } from '@shoal/shared';
import { z } from 'zod';
import { builtinTools } from './builtin-tools.js';
import type { Tool, ToolContext } from './tool.js';
import { ToolFailure } from './tool-failure.js';

export type { ToolContext } from './tool.js';

const schemaCache = new WeakMap<z.ZodType, Record<string, unknown>>();

/**
 * JSON Schema of a tool's params as shown to the model (spec §1.5), generated from the zod schema that
 * validates them (so the two cannot drift), without the `$schema` key. Cached: executors are per session.
 */
export function toolInputSchema(params: z.ZodType): Record<string, unknown> {
  let schema = schemaCache.get(params);
  if (!schema) {
    const { $schema: _drop, ...rest } = z.toJSONSchema(params, { io: 'input' }) as Record<string, unknown>;
    schema = rest;
    schemaCache.set(params, schema);
  }
  return schema;
}

/**
 * Runs built-in tools (spec §5.2): the result is `ok(ToolResult)` or `err(ToolError)`; never rejects.
 * Unknown tool → UnknownTool, bad params → InvalidParams, failure → Execution, abort → Cancelled (§1.7).
 */
export class ToolExecutor {
  private readonly tools: Map<string, Tool>;
  private readonly schemaList: ToolSchema[];

  constructor(tools: readonly Tool[] = builtinTools()) {
    this.tools = new Map(tools.map((t) => [t.name, t]));
    this.schemaList = tools.map((t) => ({
      name: t.name,
      displayName: t.displayName,
      description: t.description,
      inputSchema: structuredClone(toolInputSchema(t.params)),
    }));
  }

  schemas(): ToolSchema[] {
    return this.schemaList.map((s) => ({ ...s }));
  }

  async execute(toolCall: ToolCall, ctx: ToolContext): Promise<ToolOutcome> {
    const toolName = toolCall.name;
    const tool = this.tools.get(toolName);
    if (!tool) return { ok: false, error: { type: 'UnknownTool', toolName } };
    const parsed = tool.params.safeParse(toolCall.parameters ?? {});
    if (!parsed.success) {
      return {
        ok: false,
        error: { type: 'InvalidParams', toolName, message: z.prettifyError(parsed.error) },
      };
    }
    if (ctx.signal.aborted) return { ok: false, error: { type: 'Cancelled', toolName } };
    try {
      // The caller creates workspaces on demand; a missing one is created here too rather than failing.
      await mkdir(ctx.workspace, { recursive: true });
      const value = await tool.run(parsed.data, ctx);
      return { ok: true, value };
    } catch (err) {
      if (ctx.signal.aborted) return { ok: false, error: { type: 'Cancelled', toolName } };
      if (err instanceof ToolFailure && err.code === 'TIMEOUT')
        return { ok: false, error: { type: 'Timeout', toolName } };
      if (err instanceof ToolFailure)
        return { ok: false, error: { type: 'Execution', toolName, message: err.message } };
      const message = err instanceof Error ? err.message : String(err);
      return { ok: false, error: { type: 'InternalError', message } };
    }
  }
}
