import { type LimitIssue, payloadBytes } from '@shoal/session-worker';
import { RuntimeError } from '../errors/runtime-error.js';

/**
 * Refuses a caller's value larger than `maxInputBytes` (UTF-8 bytes of its strings plus a little per
 * structural element): `INVALID_INPUT`/`Validation`, with a zod-like `too_big` issue naming the limit.
 * Checked on the caller's thread before anything is sent to a shard, so an oversized input costs its
 * shard nothing.
 */
export function checkInputSize(value: unknown, maxBytes: number, name: string): void {
  if (payloadBytes(value, maxBytes) <= maxBytes) return;
  const issue: LimitIssue = {
    code: 'too_big',
    origin: 'input',
    limit: 'maxInputBytes',
    maximum: maxBytes,
    path: [name],
    message: `larger than maxInputBytes (${maxBytes} bytes)`,
  };
  throw RuntimeError.validation(`invalid ${name}: ${issue.message}`, [issue]);
}
