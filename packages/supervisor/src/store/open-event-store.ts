import { join } from 'node:path';
import { runtimeErrorFromStore } from '@shoal/session-worker';
import type { SessionEvent } from '@shoal/shared';
import {
  type EventValidator,
  LevelEventStore,
  MemoryEventStore,
  PostgresEventStore,
  type SessionStore,
} from '@shoal/store';
import type { ClusterNode } from '../cluster/cluster-node.js';
import { RuntimeError } from '../errors/runtime-error.js';
import type { ResolvedRuntimeOptions } from '../options/runtime-options.js';

/**
 * The runtime appends only events its reducer built from input already validated at the runtime's boundary
 * (`ActionSchema`; model replies and tool results bounded by the shard), so the store does not parse them a
 * second time. A store used directly keeps its default, `SessionEventSchema`.
 */
const builtByTheReducer: EventValidator = (event) => event as SessionEvent;

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
            validateEvent: builtByTheReducer,
            appendFence: cluster?.appendFence(),
          })
        : await LevelEventStore.open(join(dataDir, 'events'), {
            durability: opts.durability,
            validateEvent: builtByTheReducer,
          });
  } catch (err) {
    const e = runtimeErrorFromStore(err);
    throw new RuntimeError(e.code, `cannot open the event store: ${e.message}`, e.kind, e.details, {
      cause: err,
    });
  }
}
