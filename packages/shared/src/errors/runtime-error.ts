/**
 * The stable codes of api.md's `RuntimeError`. Every layer that fails a caller's request (the supervisor,
 * a shard runner on any thread, the cluster router) raises one of these; nothing else reaches a caller.
 */
export const RUNTIME_ERROR_CODES = [
  'SESSION_NOT_FOUND',
  'SESSION_ALREADY_EXISTS',
  'INVALID_INPUT',
  'OVERLOADED',
  'SHUTTING_DOWN',
  'CHANNEL_CLOSED',
  'EVENT_STORE',
  'SESSION',
] as const;

export type RuntimeErrorCode = (typeof RUNTIME_ERROR_CODES)[number];

const CODES: ReadonlySet<string> = new Set(RUNTIME_ERROR_CODES);

export function isRuntimeErrorCode(code: unknown): code is RuntimeErrorCode {
  return typeof code === 'string' && CODES.has(code);
}

/** api.md: the kinds that refine INVALID_INPUT (spec §3.3 reducer input errors, plus schema failures). */
export type InvalidInputKind =
  | 'OperationInFlight'
  | 'MissingSessionConfig'
  | 'UnknownPrimaryAgent'
  | 'QueueEmpty'
  | 'EmptyInput'
  | 'Validation';

/**
 * api.md `RuntimeError`. `kind` refines the code: the spec's kind for INVALID_INPUT, the store's code for
 * EVENT_STORE, why the command may be retried for SESSION. `details` is plain data (it crosses threads and
 * HTTP): the schema issues for `Validation`, the store's facts for EVENT_STORE. `cause` stays on the thread
 * that raised it.
 */
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

  /** INVALID_INPUT of kind `Validation`: the input failed a schema; `issues` says where and why. */
  static validation(message: string, issues: unknown): RuntimeError {
    return new RuntimeError('INVALID_INPUT', message, 'Validation', issues);
  }
}

export function isRuntimeError(err: unknown, code?: RuntimeErrorCode): err is RuntimeError {
  return err instanceof RuntimeError && (code === undefined || err.code === code);
}
