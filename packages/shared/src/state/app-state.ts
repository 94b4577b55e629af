import { resolveSystemPrompt } from '../config/session-config.js';
import { isBlank } from '../config/whitespace.js';
import { MessageGraph } from '../graph/message-graph.js';
import { bashPatternsOf } from '../policy/approval-policy.js';
import type { SessionConfig } from '../schemas/config.js';
import type { ToolCall, ToolSchema, UserContent } from '../schemas/content.js';
import type { ModelId } from '../schemas/ids.js';
import type { McpServerState, OperationKind } from '../schemas/operation.js';
import type { SystemContext } from '../schemas/system-context.js';
import type { ContextWindowUsage, TokenUsage } from '../schemas/usage.js';
import {
  EMPTY_ARRAY,
  EMPTY_MAP,
  EMPTY_SET,
  sameSetInOrder,
  setWith,
  sharedArrayOf,
  sharedSetOf,
} from './shared-collections.js';
import { INITIAL_USAGE_INDEX, NO_USAGE, type UsageIndex } from './usage.js';

/** spec §2.7 `pendingApproval`: the one approval currently shown to the user. */
export interface PendingApproval {
  requestId: string;
  toolCall: ToolCall;
}

/** spec §2.7 `approvalQueue` entry. */
export interface QueuedApproval {
  toolCall: ToolCall;
}

/** spec §2.7 `currentOperation`. */
export interface CurrentOperation {
  opId: string;
  kind: OperationKind;
  /** read-only typed and shared while empty (a turn without tools allocates no set): see operations.ts */
  pendingToolCalls: ReadonlySet<string>;
}

/** spec §2.7 `QueuedWorkItem`. `content` of a user message is owned by the queue (merges append to it). */
export type QueuedWorkItem =
  | {
      kind: 'UserMessage';
      content: UserContent[];
      opId: string;
      messageId: string;
      model: ModelId;
      queuedAt: number;
    }
  | { kind: 'DirectBash'; command: string; opId: string; messageId: string; queuedAt: number };

/** spec §2.7 `llmUsageByOp` value: the latest usage snapshot of one op. */
export interface LlmUsageSnapshot {
  model: ModelId;
  usage: TokenUsage;
  contextWindow: ContextWindowUsage | undefined;
}

/**
 * Deliberate change 6: the operation the *log* shows as started (`OperationStarted`) and not yet closed
 * (`OperationCompleted`/`OperationCancelled`), with what is needed to close it as cancelled on resume. Kept up
 * to date from events only — by replay (`applyEvent`) and, identically, by `reduce` for the events it emits —
 * so a live state and a replayed state agree. It is *not* `currentOperation` (replay never restores that, §4.2).
 */
export interface InterruptedOperation {
  opId: string;
  kind: OperationKind;
  /** the op's model as last seen in an event (AssistantMessageAdded, ToolCall*, LlmUsageUpdated, agent switch) */
  model: ModelId | undefined;
  /** tool calls of the op's assistant messages without a `ToolMessageAdded` result yet: id → name, in order */
  outstandingToolCalls: ReadonlyMap<string, string>;
  /** the op's last `ApprovalRequested` not yet followed by an `ApprovalDecided` */
  pendingApproval: PendingApproval | undefined;
}

/**
 * spec §2.7: the reducer state. Differences from the table: `compactionSummaryIds` lives only in
 * `messageGraph.compactionSummaryIds` (the spec keeps two mirrored copies); the vestigial `activeStreams` is
 * omitted (never populated, §6); `usageIndex` caches usage aggregates; `interruptedOperation` is new
 * (deliberate change 6). Fields are always present (possibly `undefined`) so objects keep one shape.
 *
 * Collections are read-only typed: they may be shared between sessions (empty ones, pre-approved tools), so
 * writes go through `shared-collections.ts`, which copies a shared one first and returns what to store back.
 */
export interface AppState {
  sessionId: string;
  /** the *effective* config in force */
  sessionConfig: SessionConfig | undefined;
  /** the config from `SessionCreated`: the base for agent switches */
  baseSessionConfig: SessionConfig | undefined;
  primaryAgentId: string | undefined;
  messageGraph: MessageGraph;
  cachedSystemContext: SystemContext | undefined;
  /** tool schemas offered to the model; never mutated in place (always replaced) */
  tools: readonly ToolSchema[];
  approvedTools: ReadonlySet<string>;
  approvedBashPatterns: ReadonlySet<string>;
  staticBashPatterns: readonly string[];
  pendingApproval: PendingApproval | undefined;
  approvalQueue: readonly QueuedApproval[];
  queuedWork: readonly QueuedWorkItem[];
  currentOperation: CurrentOperation | undefined;
  workspaceFiles: readonly string[];
  mcpServers: ReadonlyMap<string, McpServerState>;
  /** insertion-ordered; bounded to `CANCELLED_OPS_LIMIT`, oldest evicted first */
  cancelledOps: ReadonlySet<string>;
  /** released to the shared empty map when the last op completes */
  operationModels: ReadonlyMap<string, ModelId>;
  /** released to the shared empty map when the last op completes */
  operationMessages: ReadonlyMap<string, string>;
  llmUsageByOp: ReadonlyMap<string, LlmUsageSnapshot>;
  /** replaced on every change, never mutated (the initial value is shared) */
  llmUsageTotals: Readonly<TokenUsage>;
  usageIndex: UsageIndex;
  /** incremented by replay only (§4.1, §11.30) */
  eventSequence: number;
  interruptedOperation: InterruptedOperation | undefined;
}

/** spec §2.7 initial values. Empty collections are the shared empties (no allocation per session). */
export function createAppState(sessionId: string): AppState {
  return {
    sessionId,
    sessionConfig: undefined,
    baseSessionConfig: undefined,
    primaryAgentId: undefined,
    messageGraph: new MessageGraph(),
    cachedSystemContext: undefined,
    tools: EMPTY_ARRAY,
    approvedTools: EMPTY_SET,
    approvedBashPatterns: EMPTY_SET,
    staticBashPatterns: EMPTY_ARRAY,
    pendingApproval: undefined,
    approvalQueue: EMPTY_ARRAY,
    queuedWork: EMPTY_ARRAY,
    currentOperation: undefined,
    workspaceFiles: EMPTY_ARRAY,
    mcpServers: EMPTY_MAP,
    cancelledOps: EMPTY_SET,
    operationModels: EMPTY_MAP,
    operationMessages: EMPTY_MAP,
    llmUsageByOp: EMPTY_MAP,
    llmUsageTotals: NO_USAGE,
    usageIndex: INITIAL_USAGE_INDEX,
    eventSequence: 0,
    interruptedOperation: undefined,
  };
}

function systemContextFor(config: SessionConfig, previous: SystemContext | undefined): SystemContext {
  const prompt = resolveSystemPrompt(config); // spec §2.8 step 2
  return previous?.environment === undefined ? { prompt } : { prompt, environment: previous.environment };
}

/**
 * spec §2.8 `applySessionConfig`. Destructive by design (steps 3, 4, 6): remembered approvals are reset and
 * pending/queued approvals dropped. Used for `SessionCreated` and agent switches; titles and resume use the
 * non-destructive paths (`setSessionTitleConfig`, `prepareResumedState`) — deliberate changes 3 and 6.
 */
export function applySessionConfig(
  state: AppState,
  config: SessionConfig,
  agentId: string | undefined,
  updateBase: boolean,
): void {
  state.sessionConfig = config;
  state.cachedSystemContext = systemContextFor(config, state.cachedSystemContext);
  const policy = config.toolConfig.approvalPolicy;
  state.approvedTools = sharedSetOf(policy.preapproved.tools);
  state.approvedBashPatterns = EMPTY_SET;
  state.staticBashPatterns = sharedArrayOf(bashPatternsOf(policy));
  state.pendingApproval = undefined;
  state.approvalQueue = EMPTY_ARRAY;
  const agent = agentId ?? config.primaryAgentId;
  if (agent !== undefined) state.primaryAgentId = agent;
  if (updateBase) state.baseSessionConfig = config;
}

/**
 * Deliberate change 3 (§11.3): a generated title only replaces the effective config; approvals (pending,
 * queued, remembered) and everything else are left alone. Used live and by replay.
 */
export function setSessionTitleConfig(state: AppState, config: SessionConfig, agentId: string): void {
  state.sessionConfig = config;
  state.primaryAgentId = agentId;
}

/**
 * Deliberate change 6 / §11.3: resume-time re-resolution of the config without wiping what replay restored.
 * The actor passes the re-resolved config (`resolveEffectiveConfig`, with the resolved system prompt) and the
 * system context it gathered. Unlike `applySessionConfig` this keeps remembered tools (it adds the config's
 * pre-approved tools to them), remembered bash patterns, and pending/queued approvals; it never touches the base
 * config. Call it after replay (and after `recoverInterruptedOperation`), before draining the queue.
 */
export function prepareResumedState(
  state: AppState,
  opts: { config?: SessionConfig; systemContext?: SystemContext } = {},
): void {
  const config = opts.config ?? state.sessionConfig;
  if (config !== undefined) {
    state.sessionConfig = config;
    const policy = config.toolConfig.approvalPolicy;
    let approved = state.approvedTools;
    for (const t of policy.preapproved.tools) approved = setWith(approved, t);
    // A restored state has its own copy; when it equals the config's shared set, share that instead.
    const shared = sharedSetOf(policy.preapproved.tools);
    state.approvedTools = sameSetInOrder(approved, shared) ? shared : approved;
    state.staticBashPatterns = sharedArrayOf(bashPatternsOf(policy));
    if (config.primaryAgentId !== undefined) state.primaryAgentId = config.primaryAgentId;
    state.cachedSystemContext = opts.systemContext ?? systemContextFor(config, state.cachedSystemContext);
  } else if (opts.systemContext !== undefined) {
    state.cachedSystemContext = opts.systemContext;
  }
}

/** spec §3.2.2 `readyToContinue`. */
export function readyToContinue(state: AppState): boolean {
  const op = state.currentOperation;
  return (
    (op === undefined || op.pendingToolCalls.size === 0) &&
    state.pendingApproval === undefined &&
    state.approvalQueue.length === 0
  );
}

/** spec §3.2.16 `titleMissing`. */
export function titleMissing(state: AppState): boolean {
  return isBlank(state.sessionConfig?.title);
}
