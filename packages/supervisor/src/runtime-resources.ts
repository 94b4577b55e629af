import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createLogger } from '@shoal/shared';
import type { SessionStore } from '@shoal/store';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ClusterNode } from './cluster/cluster-node.js';
import { RuntimeError } from './errors/runtime-error.js';
import {
  type ResolvedRuntimeOptions,
  type RuntimeOptions,
  resolveRuntimeOptions,
} from './options/runtime-options.js';
import { openEventStore } from './store/open-event-store.js';
import { WorkspaceRoots } from './validation/workspace-roots.js';

/** What a runtime holds before its shards start. */
export interface RuntimeResources {
  readonly options: ResolvedRuntimeOptions;
  /** `options.dataDir`, absolute and created. */
  readonly dataDir: string;
  readonly workspaceRoots: WorkspaceRoots;
  readonly logger: Logger;
  readonly store: SessionStore;
  /** Cluster mode only: this node's membership, opened but not yet joined. */
  readonly cluster: ClusterNode | undefined;
}

/**
 * Validates the options (`INVALID_INPUT`/`Validation`), prepares the data directory and workspace roots,
 * and opens the cluster membership and the event store (`EVENT_STORE`).
 */
export async function openRuntimeResources(options: RuntimeOptions | undefined): Promise<RuntimeResources> {
  let opts: ResolvedRuntimeOptions;
  try {
    opts = resolveRuntimeOptions(options);
  } catch (err) {
    if (err instanceof z.ZodError) throw RuntimeError.validation('invalid runtime options', err.issues);
    // Reading the options threw (a getter, a Proxy): invalid input as well.
    throw RuntimeError.validation(`invalid runtime options: reading them threw: ${String(err)}`, []);
  }
  const dataDir = resolve(opts.dataDir);
  await mkdir(dataDir, { recursive: true });
  const workspaceRoots = await WorkspaceRoots.prepare(opts.workspaceRoots ?? [join(dataDir, 'workspaces')]);
  const logger = createLogger(opts.logLevel, { component: 'supervisor' });
  const cluster =
    opts.cluster && opts.postgres
      ? await ClusterNode.open(opts.cluster, opts.postgres.connectionString, logger)
      : undefined;
  let store: SessionStore;
  try {
    store = await openEventStore(opts, dataDir, cluster);
  } catch (err) {
    await cluster?.stop();
    throw err;
  }
  return { options: opts, dataDir, workspaceRoots, logger, store, cluster };
}
