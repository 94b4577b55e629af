// spec §1.10: the errors a model call can end with, and their display text.

export const MODEL_CALL_ERROR_KINDS = [
  'network',
  'authentication_failed',
  'auth_error',
  'rate_limited',
  'invalid_request',
  'server_error',
  'timeout',
  'cancelled',
  'response_parsing_error',
  'no_choices',
  'request_blocked',
  'unknown',
  'configuration',
  'unsupported_feature',
  'stream_error',
] as const;
export type ModelCallErrorKind = (typeof MODEL_CALL_ERROR_KINDS)[number];

export const isModelCallErrorKind = (s: string): s is ModelCallErrorKind =>
  (MODEL_CALL_ERROR_KINDS as readonly string[]).includes(s);

/** `REQUEST_START_FAILED` ↔ RequestStartFailed, `STREAM_FAILED` ↔ StreamFailed, `MISSING_COMPLETION` ↔ MissingCompletionResponse. */
export type ModelCallErrorCode = 'REQUEST_START_FAILED' | 'STREAM_FAILED' | 'MISSING_COMPLETION';

/**
 * `message` is the spec §1.10 display text, which is what `ModelResponseError.error` carries; `detail` is the
 * provider's own message (RequestStartFailed's `message`, StreamFailed's error).
 */
export class ModelCallError extends Error {
  override readonly name = 'ModelCallError';
  readonly code: ModelCallErrorCode;
  readonly kind: ModelCallErrorKind;
  readonly detail: string;

  private constructor(
    code: ModelCallErrorCode,
    kind: ModelCallErrorKind,
    detail: string,
    display: string,
    options?: { cause?: unknown },
  ) {
    super(display, options);
    this.code = code;
    this.kind = kind;
    this.detail = detail;
  }

  /** The request could not be started: "Failed to start model stream (<kind>): <message>". */
  static requestStartFailed(kind: ModelCallErrorKind, message: string, cause?: unknown): ModelCallError {
    return new ModelCallError(
      'REQUEST_START_FAILED',
      kind,
      message,
      `Failed to start model stream (${kind}): ${message}`,
      cause === undefined ? undefined : { cause },
    );
  }

  /** An error arrived mid-stream: "Model stream failed: <error>". Kind defaults to `stream_error`. */
  static streamFailed(
    error: string,
    kind: ModelCallErrorKind = 'stream_error',
    cause?: unknown,
  ): ModelCallError {
    return new ModelCallError(
      'STREAM_FAILED',
      kind,
      error,
      `Model stream failed: ${error}`,
      cause === undefined ? undefined : { cause },
    );
  }

  /** The stream ended without a final completion. */
  static missingCompletion(): ModelCallError {
    const text = 'Model stream ended without a completion response';
    return new ModelCallError('MISSING_COMPLETION', 'stream_error', text, text);
  }

  /** The op's token was triggered (spec §5.0). */
  static cancelled(message = 'the request was cancelled'): ModelCallError {
    return ModelCallError.requestStartFailed('cancelled', message);
  }
}

export const isModelCallError = (e: unknown): e is ModelCallError => e instanceof ModelCallError;
