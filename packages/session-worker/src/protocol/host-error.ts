import type { WireError } from './messages.js';

/** The stable codes of api.md's `RuntimeError`; the shard host raises the same ones. */
export type RuntimeErrorCode =
  | 'SESSION_NOT_FOUND'
  | 'SESSION_ALREADY_EXISTS'
  | 'INVALID_INPUT'
  | 'OVERLOADED'
  | 'SHUTTING_DOWN'
  | 'CHANNEL_CLOSED'
  | 'EVENT_STORE'
  | 'SESSION';

/** An error raised inside a shard host; crosses a port as a `WireError` and becomes a `RuntimeError`. */
export class HostError extends Error {
  override readonly name = 'HostError';
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    readonly kind?: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const STORE_CODES = new Set(['SEQUENCE_CONFLICT', 'CORRUPT_RECORD', 'CLOSED', 'IO', 'INVALID_EVENT']);

/** Converts anything thrown inside a shard into a plain `WireError` (no information is swallowed). */
export function toWireError(err: unknown): WireError {
  // The cluster's epoch fence refused an append: nothing was written and the shard lives elsewhere now,
  // so the command may be routed again (the retryable SESSION code, kind LeaseLost).
  if (err instanceof Error && (err as { code?: unknown }).code === 'LEASE_LOST') {
    return { code: 'SESSION', kind: 'LeaseLost', message: err.message, origin: 'store' };
  }
  if (err instanceof HostError) {
    return { code: err.code, message: err.message, kind: err.kind, details: err.details, origin: 'host' };
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (code === 'SESSION_NOT_FOUND' || code === 'SESSION_ALREADY_EXISTS') {
        return { code, message: err.message, origin: 'store' };
      }
      if (STORE_CODES.has(code))
        return { code: 'EVENT_STORE', kind: code, message: err.message, origin: 'store' };
    }
    return { code: 'SESSION', message: err.message, origin: 'session' };
  }
  return { code: 'SESSION', message: String(err), origin: 'session' };
}

export function fromWireError(w: WireError): HostError {
  return new HostError(w.code as RuntimeErrorCode, w.message, w.kind, w.details);
}
