export { buildHost, DEFAULT_HEARTBEAT_MS, type Host, type HostOptions, type LogLevel } from './app.js';
export { bearerKey, challenge } from './auth/authenticate.js';
export {
  digestOf,
  KeyRing,
  KeysFileSchema,
  loadKeysFile,
  parseKeysEnv,
  TenantIdSchema,
} from './auth/keys.js';
export { type CliConfig, HELP, parseCli } from './cli-options.js';
export { HostConfigError } from './config-error.js';
export type { HostContext } from './context.js';
export {
  type ErrorBody,
  HostError,
  type HostErrorCode,
  type HttpError,
  RUNTIME_STATUS,
  toHttpError,
} from './errors.js';
export { DEFAULT_TENANT_LIMITS, type TenantLimits } from './limits.js';
export { formatDelta, formatEvent } from './sse.js';
export { TENANT_METADATA_KEY } from './tenancy.js';
