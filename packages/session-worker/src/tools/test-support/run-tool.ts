import type { ToolOutcome, ToolResult } from '@shoal/shared';
import { ToolExecutor } from '../tool-executor.js';
import { ctxFor } from './temp-workspace.js';

const executor = new ToolExecutor();

/** Runs a built-in tool through the executor (validation and error mapping included). */
export const runTool = (
  ws: string,
  name: string,
  parameters: unknown,
  signal?: AbortSignal,
): Promise<ToolOutcome> => executor.execute({ id: `call-${name}`, name, parameters }, ctxFor(ws, signal));

/** The result of a successful run of the given kind; throws (failing the test) otherwise. */
export async function okResult<K extends ToolResult['type']>(
  kind: K,
  outcome: Promise<ToolOutcome>,
): Promise<Extract<ToolResult, { type: K }>> {
  const o = await outcome;
  if (!o.ok || o.value.type !== kind) throw new Error(`expected ${kind}, got ${JSON.stringify(o)}`);
  return o.value as Extract<ToolResult, { type: K }>;
}

/** The error of a failed run; throws (failing the test) when it succeeded. */
export async function errOf(outcome: Promise<ToolOutcome>) {
  const o = await outcome;
  if (o.ok) throw new Error(`expected a tool error, got ${JSON.stringify(o)}`);
  return o.error;
}
