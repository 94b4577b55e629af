import { join } from 'node:path';
import { LevelEventStore, MemoryEventStore, PostgresEventStore, type SessionStore } from '@shoal/store';
import type { ClusterNode } from '../cluster/cluster-node.js';
import { RuntimeError } from '../errors/runtime-error.js';
import type { ResolvedRuntimeOptions } from '../options/runtime-options.js';

/**
 * Opens the event store the options choose (memory, PostgreSQL, or LevelDB under `dataDir/events`). In
 * cluster mode PostgreSQL appends are fenced by this node's leases. Failure is `EVENT_STORE`.
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
    throw new RuntimeError(
      'EVENT_STORE',
      `cannot open the event store: ${(err as Error).message}`,
      (err as { code?: string }).code,
      undefined,
      { cause: err },
    );
  }
}
