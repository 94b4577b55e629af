import type { Runtime } from '@shoal/supervisor';
import type { SessionQuota, StreamQuota } from './limits.js';
import type { HostMetrics } from './metrics.js';
import type { OpenStreams } from './open-streams.js';
import type { Tenancy } from './tenancy.js';

/** What every route group is given (one object, so adding a route group never changes the others). */
export interface HostContext {
  runtime: Runtime;
  tenancy: Tenancy;
  sessionQuota: SessionQuota;
  streamQuota: StreamQuota;
  metrics: HostMetrics;
  openStreams: OpenStreams;
  /** true from the start of a graceful shutdown: `/readyz` is 503 and new requests are refused */
  isDraining(): boolean;
  /** `--metrics-key`: the Bearer key `/metrics` requires, if any */
  metricsKey: string | undefined;
}
