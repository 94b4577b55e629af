import { kindForErrorType, kindForStatus } from './http-error-kind.js';
import { ModelCallError } from './model-call-error.js';

type Ctor<T> = abstract new (...args: never[]) => T;
type SdkApiError = Error & { status: number | undefined };

/** The error classes both hosted SDKs (generated the same way) expose on their client class. */
export interface SdkErrorClasses {
  APIUserAbortError: Ctor<Error>;
  APIConnectionTimeoutError: Ctor<Error>;
  APIConnectionError: Ctor<Error>;
  APIError: Ctor<SdkApiError>;
}

/**
 * Maps what a hosted SDK threw to a typed ModelCallError (spec §1.10): abort → cancelled; connection
 * timeout → timeout; connection failure → network (a stream failure once output has started); an HTTP status
 * → its kind; an error event without a status → by its error type; unparsable JSON (also when a stream
 * helper wrapped the SyntaxError) → response_parsing_error.
 */
export function sdkCallError(
  err: unknown,
  signal: AbortSignal,
  started: boolean,
  sdk: SdkErrorClasses,
  errorType: (e: SdkApiError) => string | null | undefined,
): ModelCallError {
  if (err instanceof ModelCallError) return err;
  if (signal.aborted || err instanceof sdk.APIUserAbortError) return ModelCallError.cancelled();
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof sdk.APIConnectionTimeoutError)
    return ModelCallError.requestStartFailed('timeout', message, err);
  if (err instanceof sdk.APIConnectionError) {
    return started
      ? ModelCallError.streamFailed(message, 'network', err)
      : ModelCallError.requestStartFailed('network', message, err);
  }
  if (err instanceof sdk.APIError) {
    if (err.status !== undefined)
      return ModelCallError.requestStartFailed(kindForStatus(err.status), message, err);
    return ModelCallError.streamFailed(message, kindForErrorType(errorType(err) ?? undefined), err);
  }
  // The SDKs' stream helpers wrap what failed underneath (e.g. a JSON parse) in their own error class.
  const underlying = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  if (underlying instanceof SyntaxError)
    return ModelCallError.streamFailed(message, 'response_parsing_error', err);
  return started
    ? ModelCallError.streamFailed(message, 'stream_error', err)
    : ModelCallError.requestStartFailed('unknown', message, err);
}
