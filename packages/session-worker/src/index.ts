export { SessionActor } from './actor/session-actor.js';
export type { DeltaSink } from './effects/delta-sink.js';
export { EffectInterpreter } from './effects/effect-interpreter.js';
export { type LimitIssue, oversizedEvent } from './limits/event-limits.js';
export { DEFAULT_PAYLOAD_LIMITS, type PayloadLimits } from './limits/payload-limits.js';
export { payloadBytes } from './limits/payload-size.js';
export { type BatcherOptions, MessageBatcher } from './protocol/batcher.js';
export {
  rememberShardCommand,
  rememberShardMessage,
  type ShardCommandMemo,
  type ShardMessageMemo,
} from './protocol/delivery.js';
export {
  type ChaosHow,
  ChaosHowSchema,
  type HeapOptions,
  HeapOptionsSchema,
  LogLevelSchema,
  type ResidentSession,
  type ShardHeap,
  type ShardInspection,
  type ShardStats,
} from './protocol/inspection.js';
export type { ShardCommand, ShardMessage, StoreOp } from './protocol/messages.js';
export { ModelCallError } from './providers/model-call-error.js';
export type {
  ModelInfo,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  ProviderDelta,
} from './providers/model-provider.js';
export { type HostedProviderOptions, type ProviderOptions, ProviderRegistry } from './providers/registry.js';
export { type SimulatedModelOptions, SimulatedProvider } from './providers/simulated.js';
export { ShardInspector } from './shard/shard-inspector.js';
export { ShardRunner } from './shard/shard-runner.js';
export { DEFAULT_SHARD_LIMITS, type ShardRunnerOptions } from './shard/shard-runner-options.js';
export type { ShardStore } from './store-client/shard-store.js';
export { mappingStoreErrors, runtimeErrorFromStore } from './store-client/store-failure.js';
export { closeSharedToolPool, sharedToolPool } from './tools/pool/shared-tool-pool.js';
export { TOOL_POOL_DEFAULTS, ToolPool, type ToolPoolOptions } from './tools/pool/tool-pool.js';
export { PortToolRunner, serveToolPool } from './tools/pool/tool-pool-port.js';
export type { ToolTaskRunner } from './tools/pool/tool-task.js';
export {
  type GroupProcess,
  type GroupProcessLauncher,
  type GroupProcessResult,
  type GroupProcessSpec,
  startGroupProcess,
} from './tools/spawn/group-process.js';
export { SpawnHelper, SpawnHelperError } from './tools/spawn/spawn-helper.js';
export { ToolExecutor } from './tools/tool-executor.js';

/** Absolute path of the worker-thread entry, for `new Worker(WORKER_ENTRY)`. */
export const WORKER_ENTRY = new URL('./worker-entry.js', import.meta.url);
