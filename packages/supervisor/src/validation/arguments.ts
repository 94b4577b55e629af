import { z } from 'zod';
import { RuntimeError } from '../errors/runtime-error.js';

/** Session ids become store keys, where NUL is the separator; callers learn that as a validation error. */
export const SessionIdArg = z
  .string()
  .min(1)
  .max(200)
  .refine((s) => !s.includes('\0'), 'must not contain NUL characters');

/** A shard index of a runtime with `count` shards. */
export const ShardIndexArg = (count: number) =>
  z
    .number()
    .int()
    .min(0)
    .max(count - 1);

/** Metadata pairs become catalog index keys, where NUL is the separator; an empty key cannot be indexed. */
export const MetadataArg = z.record(z.string(), z.string()).superRefine((meta, ctx) => {
  for (const [k, v] of Object.entries(meta)) {
    if (k.length === 0) ctx.addIssue({ code: 'custom', path: [k], message: 'keys must not be empty' });
    if (k.includes('\0') || v.includes('\0')) {
      ctx.addIssue({ code: 'custom', path: [k], message: 'keys and values must not contain NUL' });
    }
  }
});

/** Deeper than any argument of the API; the walk stops there (zod reports what is wrong below). */
const MAX_WALK_DEPTH = 64;

/**
 * The path of an own `__proto__` key in `value` (a JSON.parse result can have one), or null. Every object copy
 * on the way (zod's, the store's) drops such a key silently, so it is refused instead of lost.
 */
function protoKeyPath(value: unknown, seen = new Set<object>(), depth = 0): (string | number)[] | null {
  if (value === null || typeof value !== 'object' || depth > MAX_WALK_DEPTH || seen.has(value)) return null;
  seen.add(value); // shared and cyclic references are walked once
  if (Object.hasOwn(value, '__proto__')) return ['__proto__'];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  for (const [k, v] of entries) {
    const below = protoKeyPath(v, seen, depth + 1);
    if (below !== null) return [k, ...below];
  }
  return null;
}

function invalid(name: string, message: string, path: (string | number)[] = []): RuntimeError {
  return RuntimeError.validation(`invalid ${name}: ${message}`, [
    { code: 'custom', path: [name, ...path], message },
  ]);
}

/**
 * Parses a caller's argument with `schema` and returns zod's copy, which is what the runtime uses from then
 * on: a getter answering differently on a second read, or a later mutation, cannot reach the shard. Reading
 * the value may itself throw (a throwing getter, a Proxy trap, a revoked Proxy); that is invalid input too.
 * Every failure is `INVALID_INPUT`/`Validation` with the issues under `details`, paths starting at `name`.
 */
export function parseArg<S extends z.ZodType>(schema: S, value: unknown, name: string): z.output<S> {
  let result: z.ZodSafeParseResult<z.output<S>>;
  try {
    const proto = protoKeyPath(value);
    if (proto !== null) throw invalid(name, 'the key __proto__ is not allowed', proto);
    result = schema.safeParse(value);
  } catch (err) {
    if (err instanceof RuntimeError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw invalid(name, `reading it threw: ${detail}`);
  }
  if (!result.success) {
    throw RuntimeError.validation(
      `invalid ${name}`,
      result.error.issues.map((i) => ({ ...i, path: [name, ...i.path] })),
    );
  }
  return result.data;
}
