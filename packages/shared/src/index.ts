export * from './agents/primary-agents.js';
export * from './agents/prompts.js';
export * from './compaction/drop-tool-results.js';
export * from './compaction/llm-text.js';
export * from './compaction/overflow.js';
export * from './compaction/prompts.js';
export * from './config/intern-config.js';
export * from './config/session-config.js';
export * from './config/whitespace.js';
export {
  type InvalidInputKind,
  isRuntimeError,
  isRuntimeErrorCode,
  RUNTIME_ERROR_CODES,
  RuntimeError,
  type RuntimeErrorCode,
} from './errors/runtime-error.js';
export { fromWireError, toWireError, type WireError, WireErrorSchema } from './errors/wire-error.js';
export { MessageGraph } from './graph/message-graph.js';
export { createLogger, LOG_LEVELS, type LogLevel } from './logging/logger.js';
export { PendingReplies } from './pending-replies.js';
export * from './policy/approval-policy.js';
export * from './policy/glob.js';
export * from './policy/visibility.js';
export { decideTool } from './reducer/admission.js';
export { cancelForSuspend } from './reducer/cancel.js';
export { type ReducerDeps, sequentialDeps, systemDeps } from './reducer/deps.js';
export { InvalidActionError, type InvalidActionKind, isInvalidActionError } from './reducer/errors.js';
export { type ReduceResult, reduce } from './reducer/reduce.js';
export { validateToolCall } from './reducer/validate-tool-call.js';
export { applyEvent, replayEvents } from './replay/apply-event.js';
export { recoverInterruptedOperation } from './replay/recover.js';
export * from './schemas/index.js';
export * from './shard.js';
export * from './state/app-state.js';
export * from './state/durable.js';
export { CANCELLED_OPS_LIMIT } from './state/operations.js';
export { QUEUE_FALLBACK_MODEL, queueFromSnapshot, queueItemSnapshot, queueSnapshot } from './state/queue.js';
export { toSessionStateSnapshot } from './state/snapshot.js';
export * from './title.js';
export * from './usage/token-usage.js';
