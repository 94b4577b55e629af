import { DEFAULT_SUB_AGENT_ID } from '../agents/primary-agents.js';
import { isBlank } from '../config/whitespace.js';
import { dispatchAgentPatternsOf, type ToolDecision, toolDecision } from '../policy/approval-policy.js';
import { patternMatches } from '../policy/glob.js';
import type { ToolCall } from '../schemas/content.js';
import { toolErrorDisplay } from '../schemas/tool-error-display.js';
import { type AppState, readyToContinue } from '../state/app-state.js';
import { addPendingToolCall } from '../state/operations.js';
import { arrayWith, arrayWithoutFirst } from '../state/shared-collections.js';
import { callModel } from './call-model.js';
import { emit, emitError, type ReduceCtx, softError } from './context.js';
import { denyByPolicy, failToolCallWithoutExecution } from './tool-failure.js';
import { validateToolCall } from './validate-tool-call.js';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** spec §3.2.8 step 2: `true` = allow, `false` = continue with the next rule. */
function dispatchAgentAllowed(state: AppState, parameters: unknown): boolean {
  const config = state.sessionConfig;
  if (config === undefined || !isRecord(parameters) || !isRecord(parameters.target)) return false;
  const target = parameters.target;
  if (target.session === 'resume') return typeof target.session_id === 'string';
  if (target.session !== 'new') return false;
  const agent =
    typeof target.agent === 'string' && !isBlank(target.agent) ? target.agent : DEFAULT_SUB_AGENT_ID;
  return dispatchAgentPatternsOf(config.toolConfig.approvalPolicy).some((p) => patternMatches(p, agent));
}

/** spec §3.2.8 step 3: the command of well-formed bash parameters `{command: string, timeout?: number}`. */
function bashCommandOf(parameters: unknown): string | undefined {
  if (!isRecord(parameters) || typeof parameters.command !== 'string') return undefined;
  const timeout = parameters.timeout;
  if (timeout !== undefined && timeout !== null && typeof timeout !== 'number') return undefined;
  return parameters.command;
}

/** spec §3.2.8 `decideTool`. */
export function decideTool(state: AppState, toolCall: ToolCall): ToolDecision {
  const name = toolCall.name;
  if (state.approvedTools.has(name)) return 'Allow';
  if (name === 'dispatch_agent' && dispatchAgentAllowed(state, toolCall.parameters)) return 'Allow';
  if (name === 'bash') {
    const command = bashCommandOf(toolCall.parameters);
    if (command !== undefined) {
      for (const p of state.staticBashPatterns) if (patternMatches(p, command)) return 'Allow';
      for (const p of state.approvedBashPatterns) if (patternMatches(p, command)) return 'Allow';
    }
  }
  const config = state.sessionConfig;
  return config === undefined ? 'Ask' : toolDecision(config.toolConfig.approvalPolicy, name);
}

/** Makes `toolCall` the pending approval: `ApprovalRequested` (emitted once, deliberate change 1) + prompt. */
export function promptForApproval(ctx: ReduceCtx, requestId: string, toolCall: ToolCall): void {
  ctx.state.pendingApproval = { requestId, toolCall };
  emit(ctx, { type: 'ApprovalRequested', requestId, toolCall });
  ctx.effects.push({ type: 'RequestUserApproval', sessionId: ctx.sessionId, requestId, toolCall });
}

/** `ExecuteTool` for the current op (the caller checked there is one). */
function execute(ctx: ReduceCtx, opId: string, toolCall: ToolCall): void {
  addPendingToolCall(ctx.state, toolCall.id);
  ctx.effects.push({ type: 'ExecuteTool', sessionId: ctx.sessionId, opId, toolCall });
}

/**
 * spec §3.2.18 `requestToolCall`: the admission pipeline of one tool call. `continueIfReady` is passed to the
 * synthetic-failure paths; `ModelResponseComplete` passes `false` and decides once after admitting every call
 * (deliberate change 2, §11.2).
 */
export function requestToolCall(
  ctx: ReduceCtx,
  requestId: string,
  toolCall: ToolCall,
  continueIfReady: boolean,
): void {
  const { state } = ctx;
  const invalid = validateToolCall(state.tools, toolCall);
  if (invalid !== undefined) {
    failToolCallWithoutExecution(
      ctx,
      toolCall,
      invalid,
      toolErrorDisplay(invalid),
      'invalid',
      continueIfReady,
    );
    return;
  }
  switch (decideTool(state, toolCall)) {
    case 'Allow': {
      const op = state.currentOperation;
      if (op === undefined) emitError(ctx, softError.approvalRequestedWithoutOp);
      else execute(ctx, op.opId, toolCall);
      return;
    }
    case 'Deny':
      denyByPolicy(ctx, toolCall, continueIfReady);
      return;
    case 'Ask':
      // spec §3.2.18: a call arriving while another prompt is open is queued; its request id is discarded.
      if (state.pendingApproval !== undefined) {
        state.approvalQueue = arrayWith(state.approvalQueue, { toolCall });
      } else {
        promptForApproval(ctx, requestId, toolCall);
      }
      return;
  }
}

/** spec §3.2.17 `drainApprovalQueue` (no re-validation), then continue the loop when nothing is outstanding. */
export function drainApprovalQueue(ctx: ReduceCtx): void {
  const { state } = ctx;
  while (state.approvalQueue.length > 0) {
    const head = state.approvalQueue[0];
    state.approvalQueue = arrayWithoutFirst(state.approvalQueue);
    if (head === undefined) break;
    const toolCall = head.toolCall;
    const decision = decideTool(state, toolCall);
    if (decision === 'Allow') {
      const op = state.currentOperation;
      if (op === undefined) {
        emitError(ctx, softError.queuedApprovalWithoutOp);
        state.approvalQueue = [head, ...state.approvalQueue];
        break;
      }
      execute(ctx, op.opId, toolCall);
    } else if (decision === 'Deny') {
      denyByPolicy(ctx, toolCall, false);
    } else {
      promptForApproval(ctx, ctx.deps.newId(), toolCall);
      break;
    }
  }
  continueIfReady(ctx);
}

/**
 * The "decide once" step: when nothing is outstanding, call the model for the current op (if it has one).
 * Only an agent loop continues this way: a compaction's model call is its summary request, made by the
 * compaction path. (Found by the replay property test: an approval left over from an earlier turn, decided
 * while an auto-compaction ran, called the model under the compaction's op id and produced an agent reply
 * with a tool call inside the compaction, a call that neither cancel nor resume would ever answer.)
 */
export function continueIfReady(ctx: ReduceCtx): void {
  const { state } = ctx;
  const op = state.currentOperation;
  if (op === undefined || op.kind.type !== 'AgentLoop' || !readyToContinue(state)) return;
  const model = state.operationModels.get(op.opId);
  if (model !== undefined) callModel(ctx, op.opId, model);
}
