import { MessageGraph } from '../graph/message-graph.js';
import type { SessionConfig } from '../schemas/config.js';
import type { ToolCall } from '../schemas/content.js';
import type { ModelId } from '../schemas/ids.js';
import type { Message } from '../schemas/message.js';
import type { McpServerState, OperationKind } from '../schemas/operation.js';
import type { SystemContext } from '../schemas/system-context.js';
import type { ContextWindowUsage, TokenUsage } from '../schemas/usage.js';
import { type AppState, createAppState, type QueuedWorkItem } from './app-state.js';
import { mapOf, orSharedEmpty, setOf, sharedArrayOf } from './shared-collections.js';
import { rebuildUsageIndex } from './usage.js';

/** Bump when the shape changes; `stateFromDurable` rejects versions it does not know. */
export const DURABLE_STATE_VERSION = 1;

/**
 * A plain, JSON-safe image of everything replay rebuilds (spec §4.1/§4.2), for store snapshots: a session
 * resumes from `stateFromDurable(snapshot)` plus the events after it, exactly as from a full replay.
 * Not included, because replay never rebuilds them: `currentOperation`, pending/queued approvals (always empty
 * after replay), `operationModels`/`operationMessages` (only ever emptied by replay), `tools`,
 * `workspaceFiles`.
 */
export interface DurableState {
  version: typeof DURABLE_STATE_VERSION;
  sessionId: string;
  eventSequence: number;
  sessionConfig?: SessionConfig;
  baseSessionConfig?: SessionConfig;
  primaryAgentId?: string;
  cachedSystemContext?: SystemContext;
  messages: Message[];
  activeMessageId?: string;
  compactionSummaryIds: string[];
  approvedTools: string[];
  approvedBashPatterns: string[];
  staticBashPatterns: string[];
  queuedWork: QueuedWorkItem[];
  mcpServers: Array<[string, McpServerState]>;
  /** insertion order (oldest first), so eviction continues correctly after a restore */
  cancelledOps: string[];
  llmUsageByOp: Array<[string, { model: ModelId; usage: TokenUsage; contextWindow?: ContextWindowUsage }]>;
  interruptedOperation?: {
    opId: string;
    kind: OperationKind;
    model?: ModelId;
    outstandingToolCalls: Array<[string, string]>;
    pendingApproval?: { requestId: string; toolCall: ToolCall };
  };
}

/** Sets `key` only when `value` is defined (JSON-shaped output without `undefined` members). */
function opt<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

/**
 * The durable image of `state`. It shares (immutable) message, config and content objects with the state:
 * serialise it (JSON or structured clone) before the state changes further if it must be kept.
 */
export function stateToDurable(state: AppState): DurableState {
  const graph = state.messageGraph;
  const d: DurableState = {
    version: DURABLE_STATE_VERSION,
    sessionId: state.sessionId,
    eventSequence: state.eventSequence,
    messages: graph.messages.slice(),
    compactionSummaryIds: [...graph.compactionSummaryIds],
    approvedTools: [...state.approvedTools],
    approvedBashPatterns: [...state.approvedBashPatterns],
    staticBashPatterns: state.staticBashPatterns.slice(),
    queuedWork: state.queuedWork.map((q) =>
      q.kind === 'UserMessage' ? { ...q, content: q.content.slice() } : { ...q },
    ),
    mcpServers: [...state.mcpServers],
    cancelledOps: [...state.cancelledOps],
    llmUsageByOp: [...state.llmUsageByOp].map(([op, s]) => {
      const snap: { model: ModelId; usage: TokenUsage; contextWindow?: ContextWindowUsage } = {
        model: s.model,
        usage: s.usage,
      };
      opt(snap, 'contextWindow', s.contextWindow);
      return [op, snap];
    }),
  };
  opt(d, 'sessionConfig', state.sessionConfig);
  opt(d, 'baseSessionConfig', state.baseSessionConfig);
  opt(d, 'primaryAgentId', state.primaryAgentId);
  opt(d, 'cachedSystemContext', state.cachedSystemContext);
  opt(d, 'activeMessageId', graph.activeMessageId);
  const open = state.interruptedOperation;
  if (open !== undefined) {
    const o: NonNullable<DurableState['interruptedOperation']> = {
      opId: open.opId,
      kind: open.kind,
      outstandingToolCalls: [...open.outstandingToolCalls],
    };
    opt(o, 'model', open.model);
    opt(o, 'pendingApproval', open.pendingApproval);
    d.interruptedOperation = o;
  }
  return d;
}

/** Thrown by `stateFromDurable` for an unknown version or a malformed image. */
export class DurableStateError extends Error {
  readonly code = 'DURABLE_STATE' as const;
  constructor(message: string) {
    super(message);
    this.name = 'DurableStateError';
  }
}

/** Rebuilds an `AppState` from its durable image (e.g. after `JSON.parse`). */
export function stateFromDurable(d: DurableState): AppState {
  if (d === null || typeof d !== 'object' || d.version !== DURABLE_STATE_VERSION) {
    throw new DurableStateError(
      `Unsupported durable state version: ${String((d as { version?: unknown })?.version)}`,
    );
  }
  const state = createAppState(d.sessionId);
  state.eventSequence = d.eventSequence;
  state.sessionConfig = d.sessionConfig;
  state.baseSessionConfig = d.baseSessionConfig;
  state.primaryAgentId = d.primaryAgentId;
  state.cachedSystemContext = d.cachedSystemContext;
  state.messageGraph = MessageGraph.from(d.messages, d.activeMessageId, d.compactionSummaryIds);
  // Empty collections stay the shared empties of `createAppState`.
  state.approvedTools = setOf(d.approvedTools);
  state.approvedBashPatterns = setOf(d.approvedBashPatterns);
  state.staticBashPatterns = sharedArrayOf(d.staticBashPatterns);
  state.queuedWork = orSharedEmpty(
    d.queuedWork.map((q) => (q.kind === 'UserMessage' ? { ...q, content: q.content.slice() } : { ...q })),
  );
  state.mcpServers = mapOf(d.mcpServers);
  state.cancelledOps = setOf(d.cancelledOps);
  state.llmUsageByOp = mapOf(
    d.llmUsageByOp.map(([op, s]) => [op, { model: s.model, usage: s.usage, contextWindow: s.contextWindow }]),
  );
  rebuildUsageIndex(state);
  const o = d.interruptedOperation;
  state.interruptedOperation =
    o === undefined
      ? undefined
      : {
          opId: o.opId,
          kind: o.kind,
          model: o.model,
          outstandingToolCalls: mapOf(o.outstandingToolCalls),
          pendingApproval: o.pendingApproval,
        };
  return state;
}
