import { join } from 'node:path';
import { runtimeErrorFromStore } from '@shoal/session-worker';
import { LevelEventStore, MemoryEventStore, PostgresEventStore, type SessionStore } from '@shoal/store';
import type { ClusterNode } from '../cluster/cluster-node.js';
import { RuntimeError } from '../errors/runtime-error.js';
import type { ResolvedRuntimeOptions } from '../options/runtime-options.js';

/**
 * Opens the event store the options choose (memory, PostgreSQL, or LevelDB under `dataDir/events`). In
 * cluster mode PostgreSQL appends are fenced by this node's leases. Failure is mapped as every store
 * failure is (`runtimeErrorFromStore`; `EVENT_STORE` with the store's code as kind, e.g. `LOCKED`).
 */
export async function openEventStore(
  opts: ResolvedRuntimeOptions,
  dataDir: string,
  cluster: ClusterNode | undefined,
): Promise<SessionStore> {
  try {
    return opts.store === 'memory'
      ? new MemoryEventStore()
      : opts.store === 'postgres' && opts.postgres
        ? await PostgresEventStore.open(opts.postgres.connectionString, {
            appendFence: cluster?.appendFence(),
          })
        : await LevelEventStore.open(join(dataDir, 'events'), { durability: opts.durability });
  } catch (err) {
    const e = runtimeErrorFromStore(err);
    throw new RuntimeError(e.code, `cannot open the event store: ${e.message}`, e.kind, e.details, {
      cause: err,
    });
  }
}
