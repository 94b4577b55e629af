import type { RuntimeErrorCode, WireError } from '@shoal/session-worker';

export type { RuntimeErrorCode };

/** api.md `RuntimeError`: `kind` refines INVALID_INPUT (and names the store code for EVENT_STORE). */
export type InvalidInputKind =
  | 'OperationInFlight'
  | 'MissingSessionConfig'
  | 'UnknownPrimaryAgent'
  | 'QueueEmpty'
  | 'EmptyInput'
  | 'Validation';

export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    readonly kind?: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static validation(message: string, issues: unknown): RuntimeError {
    return new RuntimeError('INVALID_INPUT', message, 'Validation', issues);
  }

  static fromWire(w: WireError): RuntimeError {
    return new RuntimeError(w.code as RuntimeErrorCode, w.message, w.kind, w.details);
  }
}
