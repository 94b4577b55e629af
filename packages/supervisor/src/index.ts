export type {
  ChaosHow,
  HeapOptions,
  ResidentSession,
  ShardHeap,
  ShardInspection,
  ShardStats,
} from '@shoal/session-worker';
export type { LogLevel } from '@shoal/shared';
export { type InvalidInputKind, RuntimeError, type RuntimeErrorCode } from './errors/runtime-error.js';
export type { DeltaSubscription } from './events/delta-subscription.js';
export type { EventSubscription } from './events/event-subscription.js';
export { type RuntimeOptions, RuntimeOptionsSchema } from './options/runtime-options.js';
export { Runtime } from './runtime.js';
