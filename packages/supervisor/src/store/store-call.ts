import { runtimeErrorFromStore } from '@shoal/session-worker';

/**
 * Runs a call into the event store on behalf of a caller of the API. A failure reaches the caller mapped
 * as a shard's store failures are (`runtimeErrorFromStore`): `EVENT_STORE` with the store's code as
 * `kind`, the session codes as they are, a refused argument (cursor, limit) as `Validation`.
 */
export async function storeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw runtimeErrorFromStore(err);
  }
}
