import { z } from 'zod';
import { isRuntimeErrorCode, RuntimeError } from './runtime-error.js';

/** A `RuntimeError` as plain data, for a thread port or an HTTP body: the class is lost, the fields are kept. */
export const WireErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  kind: z.string().optional(),
  details: z.unknown().optional(),
});
export type WireError = z.infer<typeof WireErrorSchema>;

/**
 * The error a reply carries. A `RuntimeError` keeps its fields; anything else thrown while serving a
 * request is a failure of the session (SESSION) and keeps its message.
 */
export function toWireError(err: unknown): WireError {
  if (err instanceof RuntimeError) {
    const w: WireError = { code: err.code, message: err.message };
    if (err.kind !== undefined) w.kind = err.kind;
    if (err.details !== undefined) w.details = err.details;
    return w;
  }
  return { code: 'SESSION', message: err instanceof Error ? err.message : String(err) };
}

/**
 * The `RuntimeError` a received error reply stands for. The value came from another thread or process,
 * so it is checked: a code outside api.md's set (or a malformed value) becomes SESSION, with what was
 * received kept in `details` and as `cause`.
 */
export function fromWireError(value: unknown): RuntimeError {
  const parsed = WireErrorSchema.safeParse(value);
  if (!parsed.success) {
    return new RuntimeError(
      'SESSION',
      'a malformed error reply was received',
      undefined,
      { received: value },
      {
        cause: value,
      },
    );
  }
  const w = parsed.data;
  if (isRuntimeErrorCode(w.code)) return new RuntimeError(w.code, w.message, w.kind, w.details);
  return new RuntimeError(
    'SESSION',
    w.message,
    undefined,
    { unknownCode: w.code, kind: w.kind, details: w.details },
    { cause: value },
  );
}
