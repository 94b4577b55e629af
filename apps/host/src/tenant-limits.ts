// Kept apart from limits.ts so the CLI can show defaults without loading the runtime.

/** Per-tenant limits (README "Limits"); each exceeded limit is a 429 with `Retry-After`. */
export interface TenantLimits {
  /** stored sessions per tenant */
  maxSessions: number;
  /** requests per second per tenant, over every `/v1` route (`@fastify/rate-limit`) */
  requestsPerSecond: number;
  /** open event and delta streams per tenant */
  maxStreams: number;
}

export const DEFAULT_TENANT_LIMITS: TenantLimits = {
  maxSessions: 10_000,
  requestsPerSecond: 1_000,
  maxStreams: 1_000,
};
