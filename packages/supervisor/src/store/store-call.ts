import { isStoreError } from '@shoal/store';
import { RuntimeError } from '../errors/runtime-error.js';

/**
 * Runs a call into the event store on behalf of a caller of the API: a store failure reaches the caller as
 * `EVENT_STORE` (with the store's code as `kind`) unless `mapError` maps it to another error.
 */
export async function storeCall<T>(
  fn: () => Promise<T>,
  mapError?: (err: unknown) => RuntimeError | undefined,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const mapped = mapError?.(err);
    if (mapped) throw mapped;
    const code = (err as { code?: string }).code;
    throw new RuntimeError('EVENT_STORE', (err as Error).message, code, undefined, { cause: err });
  }
}

/** `storeCall`, except that a malformed argument (cursor, limit) is the caller's `Validation` error. */
export function catalogCall<T>(fn: () => Promise<T>): Promise<T> {
  return storeCall(fn, (err) =>
    isStoreError(err, 'INVALID_ARGUMENT')
      ? RuntimeError.validation(err.message, [{ path: [], message: err.message }])
      : undefined,
  );
}
