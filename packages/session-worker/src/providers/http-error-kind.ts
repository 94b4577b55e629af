import type { ModelCallErrorKind } from './model-call-error.js';

/** spec §1.10 kind for a provider's HTTP status. */
export function kindForStatus(status: number): ModelCallErrorKind {
  if (status === 401) return 'authentication_failed';
  if (status === 403) return 'auth_error';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error'; // includes Anthropic's 529 overloaded
  if (status >= 400) return 'invalid_request'; // 400 (e.g. context too long), 404 model, 413, 422
  return 'unknown';
}

/** spec §1.10 kind for an error `type` reported inside a stream (Anthropic `event: error`, OpenAI `error`). */
export function kindForErrorType(type: string | null | undefined): ModelCallErrorKind {
  switch (type) {
    case 'overloaded_error':
    case 'api_error':
    case 'server_error':
      return 'server_error';
    case 'rate_limit_error':
    case 'rate_limit_exceeded':
    case 'insufficient_quota':
      return 'rate_limited';
    case 'invalid_request_error':
      return 'invalid_request';
    case 'authentication_error':
      return 'authentication_failed';
    case 'permission_error':
      return 'auth_error';
    case 'timeout_error':
      return 'timeout';
    default:
      return 'stream_error';
  }
}

/** Saturating u32 (spec §1.3: usage additions saturate at 2^32−1). */
export const u32 = (n: number | null | undefined): number =>
  Math.min(0xffff_ffff, Math.max(0, Math.floor(n ?? 0)));
