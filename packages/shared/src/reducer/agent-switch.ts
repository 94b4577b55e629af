import { getPrimaryAgent, resolveEffectiveConfig } from '../agents/primary-agents.js';
import { filterToolsByVisibility } from '../policy/visibility.js';
import type { ActionOf } from '../schemas/actions.js';
import type { BackendConfig, SessionConfig } from '../schemas/config.js';
import type { ToolCall } from '../schemas/content.js';
import type { Effect } from '../schemas/effects.js';
import { toolErrorDisplay } from '../schemas/tool-error-display.js';
import { applySessionConfig } from '../state/app-state.js';
import { addPendingToolCall } from '../state/operations.js';
import { arrayWith, mapWith, orSharedEmpty } from '../state/shared-collections.js';
import { continueIfReady, decideTool, promptForApproval } from './admission.js';
import { emit, type ReduceCtx } from './context.js';
import { InvalidActionError } from './errors.js';
import { denyByPolicy, failToolCallWithoutExecution } from './tool-failure.js';
import { validateToolCall } from './validate-tool-call.js';

const backendKey = (b: BackendConfig): string => JSON.stringify([b.transport, b.toolFilter]);

/** spec §3.2.19: MCP connect/disconnect effects between two configs (normally none). */
export function mcpBackendDiff(sessionId: string, from: SessionConfig, to: SessionConfig): Effect[] {
  const oldByName = new Map(from.toolConfig.backends.map((b) => [b.serverName, b]));
  const newByName = new Map(to.toolConfig.backends.map((b) => [b.serverName, b]));
  const out: Effect[] = [];
  for (const [name, old] of oldByName) {
    const next = newByName.get(name);
    if (next === undefined) {
      out.push({ type: 'DisconnectMcpServer', sessionId, serverName: name });
    } else if (backendKey(old) !== backendKey(next)) {
      out.push({ type: 'DisconnectMcpServer', sessionId, serverName: name });
      out.push({ type: 'ConnectMcpServer', sessionId, config: next });
    }
  }
  for (const [name, next] of newByName) {
    if (!oldByName.has(name)) out.push({ type: 'ConnectMcpServer', sessionId, config: next });
  }
  return out;
}

/** spec §3.3.8 re-evaluation of one previously pending (stale id) or queued (no id) approval. */
function reEvaluate(ctx: ReduceCtx, loopOp: string, toolCall: ToolCall, staleId: string | undefined): void {
  const { state } = ctx;
  const close = (decision: 'Approved' | 'Denied') => {
    if (staleId !== undefined) emit(ctx, { type: 'ApprovalDecided', requestId: staleId, decision });
  };
  const invalid = validateToolCall(state.tools, toolCall);
  if (invalid !== undefined) {
    close('Denied');
    failToolCallWithoutExecution(ctx, toolCall, invalid, toolErrorDisplay(invalid), 'invalid', false);
    return;
  }
  switch (decideTool(state, toolCall)) {
    case 'Allow':
      close('Approved');
      addPendingToolCall(state, toolCall.id);
      ctx.effects.push({ type: 'ExecuteTool', sessionId: ctx.sessionId, opId: loopOp, toolCall });
      return;
    case 'Deny':
      close('Denied');
      denyByPolicy(ctx, toolCall, false);
      return;
    case 'Ask':
      close('Denied'); // the old prompt is closed; a fresh one (new id) is opened or the call queued
      if (state.pendingApproval !== undefined) {
        state.approvalQueue = arrayWith(state.approvalQueue, { toolCall });
      } else {
        promptForApproval(ctx, ctx.deps.newId(), toolCall);
      }
      return;
  }
}

/**
 * spec §3.3.8 `SwitchPrimaryAgent`, with deliberate change 3 (§11.26): the current title is carried into the
 * switched config, so titles survive agent switches.
 */
export function onSwitchPrimaryAgent(ctx: ReduceCtx, a: ActionOf<'SwitchPrimaryAgent'>): void {
  const { state } = ctx;
  const base = state.baseSessionConfig ?? state.sessionConfig;
  if (base === undefined) {
    throw new InvalidActionError(
      'MissingSessionConfig',
      'Cannot switch primary agent without a session config',
    );
  }
  if (getPrimaryAgent(a.agentId) === undefined) {
    throw new InvalidActionError('UnknownPrimaryAgent', `Unknown primary agent: ${a.agentId}`);
  }
  const op = state.currentOperation;
  const loopOp = op?.kind.type === 'AgentLoop' ? op.opId : undefined;
  const stalePending = loopOp === undefined ? undefined : state.pendingApproval;
  const staleQueue = loopOp === undefined ? [] : state.approvalQueue;
  const title = state.sessionConfig?.title ?? base.title;
  const requested: SessionConfig = { ...base, primaryAgentId: a.agentId };
  if (title !== undefined) requested.title = title;
  const newConfig = resolveEffectiveConfig(requested);
  const backendEffects = mcpBackendDiff(ctx.sessionId, base, newConfig);
  applySessionConfig(state, newConfig, a.agentId, false);
  state.tools = orSharedEmpty(filterToolsByVisibility(newConfig.toolConfig.visibility, state.tools));
  if (loopOp !== undefined)
    state.operationModels = mapWith(state.operationModels, loopOp, newConfig.defaultModel);
  emit(ctx, {
    type: 'SessionConfigUpdated',
    config: newConfig,
    primaryAgentId: a.agentId,
    reason: 'agent_switch',
  });
  for (const e of backendEffects) ctx.effects.push(e);
  ctx.effects.push({ type: 'ReloadToolSchemas', sessionId: ctx.sessionId });
  if (loopOp === undefined || (stalePending === undefined && staleQueue.length === 0)) return;
  if (stalePending !== undefined) reEvaluate(ctx, loopOp, stalePending.toolCall, stalePending.requestId);
  for (const q of staleQueue) reEvaluate(ctx, loopOp, q.toolCall, undefined);
  continueIfReady(ctx);
}
