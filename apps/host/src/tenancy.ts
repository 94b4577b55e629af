import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { type Runtime, RuntimeError } from '@shoal/supervisor';

/** The catalog metadata key that records which tenant created a session (set by the host, never by a client). */
export const TENANT_METADATA_KEY = 'tenant';

/** How many session → tenant pairs are remembered; a session's tenant never changes, so entries never go stale. */
const OWNER_CACHE_SIZE = 100_000;

/**
 * Which tenant owns which session, and where a tenant's workspaces live. A session belongs to the tenant that
 * created it: the host writes `metadata.tenant` when it creates the session, and every per-session request
 * checks it here. A session of another tenant is reported exactly like an unknown id (SESSION_NOT_FOUND).
 */
export class Tenancy {
  private readonly owners = new Map<string, string>();
  readonly workspacesRoot: string;

  constructor(
    private readonly runtime: Runtime,
    dataDir: string,
  ) {
    // Inside the runtime's default workspace root (`<dataDir>/workspaces`), so no `workspaceRoots` option is
    // needed; `tenants/` cannot collide with a session id directory of the runtime's own default layout.
    this.workspacesRoot = join(resolve(dataDir), 'workspaces', 'tenants');
  }

  /** A fresh workspace directory for a new session of `tenant`: `<dataDir>/workspaces/tenants/<tenant>/<uuid>`. */
  newWorkspace(tenant: string): { type: 'local'; path: string } {
    return { type: 'local', path: join(this.workspacesRoot, tenant, randomUUID()) };
  }

  /** Records the owner of a session the host just created (saves the catalog read on its first request). */
  remember(sessionId: string, tenant: string): void {
    if (this.owners.size >= OWNER_CACHE_SIZE) {
      const oldest = this.owners.keys().next().value;
      if (oldest !== undefined) this.owners.delete(oldest);
    }
    this.owners.set(sessionId, tenant);
  }

  /** Drops a deleted session; true when it was remembered. */
  forget(sessionId: string): boolean {
    return this.owners.delete(sessionId);
  }

  /** Resolves when `tenant` owns `sessionId`; otherwise rejects with SESSION_NOT_FOUND, as for an unknown id. */
  async assertOwned(tenant: string, sessionId: string): Promise<void> {
    let owner = this.owners.get(sessionId);
    if (owner === undefined) {
      const summary = await this.runtime.getSessionSummary(sessionId);
      owner = summary?.metadata[TENANT_METADATA_KEY];
      if (owner !== undefined) this.remember(sessionId, owner);
    }
    if (owner !== tenant) throw notFound(sessionId);
  }
}

export function notFound(sessionId: string): RuntimeError {
  return new RuntimeError('SESSION_NOT_FOUND', `session ${sessionId} not found`);
}
