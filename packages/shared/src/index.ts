// The package's public surface: the domain schemas and types of api.md, the pure reducer and replay, shard
// hashing, and the helpers the other workspaces use. Everything else stays internal to the package.

// Configuration.
export { resolveEffectiveConfig } from './agents/primary-agents.js';
export { dropEarlierToolResults } from './compaction/drop-tool-results.js';
// What the model sees: tool-result text, limits, compaction and titles.
export {
  BASH_STDERR_MAX_BYTES,
  BASH_STDERR_MAX_LINES,
  BASH_STDOUT_MAX_BYTES,
  BASH_STDOUT_MAX_LINES,
  charCount,
  messageCharCount,
  toolResultLlmText,
  truncateHeadTail,
} from './compaction/llm-text.js';
export { isContextWindowExceededError } from './compaction/overflow.js';
export { COMPACTION_PROMPT } from './compaction/prompts.js';
export { internSessionConfig, internText, internValue } from './config/intern-config.js';
export { resolveSystemPrompt, sessionConfigFromInput } from './config/session-config.js';
// The runtime's errors (api.md `RuntimeError`), their wire shape, and the logger every thread uses.
export {
  type InvalidInputKind,
  isRuntimeError,
  isRuntimeErrorCode,
  RUNTIME_ERROR_CODES,
  RuntimeError,
  type RuntimeErrorCode,
} from './errors/runtime-error.js';
export { fromWireError, toWireError, type WireError, WireErrorSchema } from './errors/wire-error.js';
export { createLogger, LOG_LEVELS, type LogLevel } from './logging/logger.js';
export { PendingReplies } from './pending-replies.js';
export { filterToolsByVisibility } from './policy/visibility.js';
export { cancelForSuspend } from './reducer/cancel.js';
// The pure reducer and replay.
export type { ReduceResult } from './reducer/context.js';
export { type ReducerDeps, systemDeps } from './reducer/deps.js';
export { InvalidActionError } from './reducer/errors.js';
export { reduce } from './reducer/reduce.js';
export { applyEvent } from './replay/apply-event.js';
export { recoverInterruptedOperation } from './replay/recover.js';
// Domain schemas (each also exported under the bare name of its type) and types.
export { Action, ActionSchema } from './schemas/actions.js';
export {
  type ClientAction,
  ClientActionSchema,
  type ClientActionType,
  isClientActionType,
} from './schemas/client-actions.js';
export {
  DEFAULT_MODEL,
  SessionConfig,
  type SessionConfigInput,
  SessionConfigInputSchema,
  SessionConfigSchema,
  type ToolVisibility,
} from './schemas/config.js';
export {
  AssistantContent,
  AssistantContentSchema,
  type ImageContent,
  ImageContentSchema,
  type ThoughtContent,
  ThoughtContentSchema,
  ToolCall,
  ToolCallSchema,
  type ToolSchema,
  UserContent,
  UserContentSchema,
} from './schemas/content.js';
export { StreamDelta, StreamDeltaSchema } from './schemas/deltas.js';
export type { Effect, EffectOf } from './schemas/effects.js';
export { SessionEvent, SessionEventSchema, type StoredEvent } from './schemas/events.js';
export {
  displayModelId,
  MessageId,
  MessageIdSchema,
  ModelId,
  ModelIdSchema,
  OpId,
  OpIdSchema,
  RequestId,
  RequestIdSchema,
  SessionId,
  SessionIdSchema,
} from './schemas/ids.js';
export { copyJsonValue, JSON_VALUE_LIMITS } from './schemas/json-value.js';
export { Message, MessageSchema } from './schemas/message.js';
export {
  type ApprovalMemory,
  ApprovalMemorySchema,
  type OperationKind,
  OperationKindSchema,
} from './schemas/operation.js';
export type { QueuedWorkItemSnapshot } from './schemas/queue.js';
export { SessionStateSnapshot, SessionStateSnapshotSchema } from './schemas/snapshot.js';
export { renderSystemContext, type SystemContext } from './schemas/system-context.js';
export { toolErrorDisplay } from './schemas/tool-error-display.js';
export {
  ToolError,
  ToolErrorSchema,
  type ToolOutcome,
  ToolResult,
  ToolResultSchema,
} from './schemas/tool-result.js';
export type { TokenUsage } from './schemas/usage.js';
// Sharding.
export { fmix32, fnv1a32, shardOf } from './shard.js';
// Session state: in memory, durable and as the public snapshot.
export { type AppState, createAppState, prepareResumedState } from './state/app-state.js';
export { type DurableState, stateFromDurable, stateToDurable } from './state/durable.js';
export { toSessionStateSnapshot } from './state/snapshot.js';
export { FALLBACK_TITLE, titlePrompt } from './title.js';
