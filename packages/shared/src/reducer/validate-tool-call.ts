import { Ajv, type ValidateFunction } from 'ajv';
import { isBlank } from '../config/whitespace.js';
import type { ToolCall, ToolSchema } from '../schemas/content.js';
import type { ToolError } from '../schemas/tool-result.js';

/**
 * spec §3.2.7 validator: ajv's default (draft-07) dialect. `strict: false` because tool schemas come from
 * providers/MCP servers and may carry keywords ajv does not know; `validateSchema: true` so a broken schema is
 * reported as a compile failure. One shared instance; compiled validators are cached per schema object.
 */
const ajv = new Ajv({ strict: false, allErrors: false, validateSchema: true, addUsedSchema: false });

/** A schema's compiled validator, or why the schema does not compile. */
export type CompiledToolSchema = { ok: true; validate: ValidateFunction } | { ok: false; error: string };
/** Per schema object: the hot path is one WeakMap hit. */
const byObject = new WeakMap<object, CompiledToolSchema>();
/**
 * Per schema text: thousands of sessions usually share a handful of distinct tool schemas (each session holds
 * its own parsed copies), so they share one compiled validator. Bounded, least recently used evicted.
 */
const byText = new Map<string, CompiledToolSchema>();
const BY_TEXT_LIMIT = 512;

/** The cached compilation of a tool's input schema (compiling it on a miss). */
export function compiledToolSchema(inputSchema: object): CompiledToolSchema {
  const hit = byObject.get(inputSchema);
  if (hit !== undefined) return hit;
  const text = JSON.stringify(inputSchema);
  let compiled = byText.get(text);
  if (compiled === undefined) {
    try {
      compiled = { ok: true, validate: ajv.compile(inputSchema) };
    } catch (e) {
      compiled = { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    // ajv keeps every compiled schema object in its own cache; drop it so our caches alone decide lifetime.
    ajv.removeSchema(inputSchema);
    if (byText.size >= BY_TEXT_LIMIT) {
      const oldest = byText.keys().next();
      if (oldest.done !== true) byText.delete(oldest.value);
    }
  } else {
    byText.delete(text);
  }
  byText.set(text, compiled);
  byObject.set(inputSchema, compiled);
  return compiled;
}

/** Finds a schema by exact name (small lists: a linear scan beats building an index per call). */
function findTool(tools: readonly ToolSchema[], name: string): ToolSchema | undefined {
  for (const t of tools) if (t.name === name) return t;
  return undefined;
}

/**
 * spec §3.2.7 `validateToolCall`: returns the first failure, or `undefined` when the call is valid.
 * With no tool schemas at all, every (well-formed) call is valid (§11.8).
 */
export function validateToolCall(tools: readonly ToolSchema[], toolCall: ToolCall): ToolError | undefined {
  const name = toolCall.name;
  if (isBlank(name)) {
    return { type: 'InvalidParams', toolName: 'unknown', message: 'malformed tool call: tool name missing' };
  }
  if (isBlank(toolCall.id)) {
    return { type: 'InvalidParams', toolName: name, message: 'malformed tool call: tool call id missing' };
  }
  if (tools.length === 0) return undefined;
  const schema = findTool(tools, name);
  if (schema === undefined) return { type: 'UnknownTool', toolName: name };
  const compiled = compiledToolSchema(schema.inputSchema);
  if (!compiled.ok) {
    return { type: 'InternalError', message: `the schema of tool ${name} is invalid: ${compiled.error}` };
  }
  if (compiled.validate(toolCall.parameters)) return undefined;
  const first = compiled.validate.errors?.[0];
  const message =
    first?.message === undefined
      ? 'parameters do not match schema'
      : first.instancePath.length > 0
        ? `${first.instancePath} ${first.message}`
        : first.message;
  return { type: 'InvalidParams', toolName: name, message };
}
