import { z } from 'zod';

/**
 * The bounds every free-form value (tool-call parameters, tool input schemas, a schema update's source, an MCP
 * transport) is held to where it enters. A value deeper than this cannot be read back by a thread with a
 * smaller stack (the main thread's structured-clone deserializer overflows near 3,000 levels), and a value
 * of any size would be stored and copied between threads in full.
 *
 * `maxSize` is the estimated length of the value's JSON text (strings and keys by their UTF-16 length, 8 per
 * number). It is a hard ceiling; the runtime's configurable limits (`RuntimeOptions.limits`) are tighter.
 */
export const JSON_VALUE_LIMITS = { maxDepth: 64, maxSize: 8 * 1024 * 1024 } as const;

export interface JsonValueLimits {
  maxDepth: number;
  maxSize: number;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Why a value is not a bounded JSON value: where (a zod-style path) and what. */
export interface JsonValueProblem {
  path: (string | number)[];
  message: string;
}

class NotJson extends Error {
  readonly path: (string | number)[] = [];
}

/**
 * A plain-data copy of `value` when it is a JSON value within `limits` (null, booleans, finite numbers,
 * strings, arrays, objects whose prototype is `Object.prototype` or null, with data properties only);
 * otherwise the first problem found. The copy is made from property descriptors, so getters are never run
 * and a Proxy's traps run once here (a throwing trap is a problem, not an exception): what is stored and
 * posted is exactly what was checked.
 */
export function copyJsonValue(
  value: unknown,
  limits: JsonValueLimits = JSON_VALUE_LIMITS,
): { ok: true; value: JsonValue; size: number } | { ok: false; problem: JsonValueProblem } {
  const budget: Budget = { left: limits.maxSize, max: limits.maxSize };
  try {
    const copy = copyAt(value, 0, limits.maxDepth, budget);
    return { ok: true, value: copy, size: limits.maxSize - budget.left };
  } catch (err) {
    if (err instanceof NotJson)
      return { ok: false, problem: { path: err.path.reverse(), message: err.message } };
    // A Proxy trap or an exotic object threw while being read.
    const why = err instanceof Error ? err.message : String(err);
    return { ok: false, problem: { path: [], message: `not a plain JSON value (reading it threw: ${why})` } };
  }
}

/** `copyJsonValue`'s verdict only. */
export function jsonValueProblem(
  value: unknown,
  limits: JsonValueLimits = JSON_VALUE_LIMITS,
): JsonValueProblem | undefined {
  const r = copyJsonValue(value, limits);
  return r.ok ? undefined : r.problem;
}

interface Budget {
  left: number;
  readonly max: number;
}

function spend(budget: Budget, n: number): void {
  budget.left -= n;
  if (budget.left < 0) throw new NotJson(`larger than ${budget.max} characters of JSON`);
}

function copyAt(v: unknown, depth: number, maxDepth: number, budget: Budget): JsonValue {
  switch (typeof v) {
    case 'string':
      spend(budget, v.length + 2);
      return v;
    case 'number':
      if (!Number.isFinite(v)) throw new NotJson(`${v} is not a JSON number`);
      spend(budget, 8);
      return v;
    case 'boolean':
      spend(budget, 5);
      return v;
    case 'object':
      break;
    default:
      throw new NotJson(`a ${typeof v} is not a JSON value`);
  }
  if (v === null) {
    spend(budget, 4);
    return null;
  }
  if (depth >= maxDepth) throw new NotJson(`nested deeper than ${maxDepth} levels`);
  if (Array.isArray(v)) {
    const out: JsonValue[] = new Array(v.length);
    spend(budget, 2 + v.length);
    for (let i = 0; i < v.length; i++) {
      const d = Object.getOwnPropertyDescriptor(v, i);
      if (d !== undefined && !('value' in d)) throw at(new NotJson('an accessor is not JSON'), i);
      try {
        out[i] = copyAt(d === undefined ? null : d.value, depth + 1, maxDepth, budget);
      } catch (err) {
        throw at(err, i);
      }
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    throw new NotJson(`a ${describe(v)} is not a plain JSON object`);
  }
  const out: { [key: string]: JsonValue } = {};
  spend(budget, 2);
  for (const key of Reflect.ownKeys(v)) {
    if (typeof key === 'symbol') throw new NotJson('a symbol key is not JSON');
    const d = Object.getOwnPropertyDescriptor(v, key);
    if (d === undefined || !d.enumerable) continue;
    if (!('value' in d)) throw at(new NotJson('an accessor is not JSON'), key);
    spend(budget, key.length + 4);
    let item: JsonValue;
    try {
      item = copyAt(d.value, depth + 1, maxDepth, budget);
    } catch (err) {
      throw at(err, key);
    }
    // `__proto__` from JSON.parse is an own data key; assignment would set the copy's prototype instead.
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    } else out[key] = item;
  }
  return out;
}

function at(err: unknown, key: string | number): unknown {
  if (err instanceof NotJson) err.path.push(key);
  return err;
}

function describe(v: object): string {
  const name = (Object.getPrototypeOf(v) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof name === 'string' && name.length > 0 ? name : 'exotic object';
}

/**
 * A bounded JSON value (see `copyJsonValue`); parses to its plain copy. Typed `unknown` where the public
 * types say `unknown` (api.md `ToolCall.parameters`).
 */
export const JsonValueSchema: z.ZodType<unknown> = z.unknown().transform((value, ctx) => {
  const r = copyJsonValue(value);
  if (r.ok) return r.value as unknown;
  ctx.addIssue({ code: 'custom', path: r.problem.path, message: r.problem.message });
  return z.NEVER;
});

/** A bounded JSON object (a tool's input schema). */
export const JsonObjectSchema: z.ZodType<Record<string, unknown>> = z
  .record(z.string(), z.unknown())
  .transform((value, ctx) => {
    const r = copyJsonValue(value);
    if (r.ok) return r.value as Record<string, unknown>;
    ctx.addIssue({ code: 'custom', path: r.problem.path, message: r.problem.message });
    return z.NEVER;
  });
