import type { Runtime } from '@shoal/supervisor';
import { HostError } from './errors.js';
import { TENANT_METADATA_KEY } from './tenancy.js';

export { DEFAULT_TENANT_LIMITS, type TenantLimits } from './tenant-limits.js';

/** A client over its session quota must delete sessions first; it is told to look again in a minute. */
const SESSIONS_RETRY_AFTER_SECONDS = 60;
/** Streams are freed as clients disconnect. */
const STREAMS_RETRY_AFTER_SECONDS = 1;

export function rateLimited(message: string, retryAfterSeconds: number): HostError {
  return new HostError('RATE_LIMITED', 429, message, undefined, retryAfterSeconds);
}

/** A counted resource per tenant: `acquire` takes one unit or throws RATE_LIMITED, `release` gives it back. */
class TenantCounter {
  protected readonly counts = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly what: string,
    private readonly retryAfterSeconds: number,
  ) {}

  protected take(tenant: string): void {
    const n = this.counts.get(tenant) ?? 0;
    if (n >= this.max) {
      throw rateLimited(`tenant limit of ${this.max} ${this.what} reached`, this.retryAfterSeconds);
    }
    this.counts.set(tenant, n + 1);
  }

  release(tenant: string): void {
    const n = this.counts.get(tenant) ?? 0;
    if (n <= 1) this.counts.delete(tenant);
    else this.counts.set(tenant, n - 1);
  }

  /** Current count per tenant (metrics). */
  snapshot(): ReadonlyMap<string, number> {
    return this.counts;
  }
}

/** Open SSE streams per tenant. */
export class StreamQuota extends TenantCounter {
  constructor(max: number) {
    super(max, 'open streams', STREAMS_RETRY_AFTER_SECONDS);
  }

  acquire(tenant: string): void {
    this.take(tenant);
  }
}

const COUNT_PAGE = 1_000;

/**
 * Stored sessions per tenant. A tenant's count is read once from the store's listing index (paging through
 * the tenant's sessions) the first time it is needed, then kept by create and delete.
 */
export class SessionQuota extends TenantCounter {
  private readonly loading = new Map<string, Promise<void>>();

  constructor(
    max: number,
    private readonly runtime: Runtime,
  ) {
    super(max, 'sessions', SESSIONS_RETRY_AFTER_SECONDS);
  }

  async acquire(tenant: string): Promise<void> {
    await this.load(tenant);
    this.take(tenant);
  }

  /** Counts a tenant's stored sessions now (at start-up, so metrics show them). */
  load(tenant: string): Promise<void> {
    let p = this.loading.get(tenant);
    if (p === undefined) {
      p = this.count(tenant).catch((err: unknown) => {
        this.loading.delete(tenant); // try again on the next request
        throw err;
      });
      this.loading.set(tenant, p);
    }
    return p;
  }

  private async count(tenant: string): Promise<void> {
    let total = 0;
    let cursor: string | undefined;
    for (;;) {
      const page = await this.runtime.listSessions({
        metadataFilter: { key: TENANT_METADATA_KEY, value: tenant },
        limit: COUNT_PAGE,
        ...(cursor === undefined ? {} : { cursor }),
      });
      total += page.sessions.length;
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    // Sessions created while counting were added by `take` already.
    this.counts.set(tenant, (this.counts.get(tenant) ?? 0) + total);
  }
}
