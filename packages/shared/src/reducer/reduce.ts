import type { Action } from '../schemas/actions.js';
import type { AppState } from '../state/app-state.js';
import { orSharedEmpty } from '../state/shared-collections.js';
import { onSwitchPrimaryAgent } from './agent-switch.js';
import { onToolApprovalDecided, onToolApprovalRequested } from './approvals.js';
import { onCancel } from './cancel.js';
import { onCompactionComplete, onCompactionFailed, onRequestCompaction } from './compaction.js';
import { createCtx, finishReduce, type ReduceCtx, type ReduceResult } from './context.js';
import type { ReducerDeps } from './deps.js';
import { onHydrate } from './hydrate.js';
import { onModelResponseComplete, onModelResponseError } from './model-response.js';
import { onDequeueQueuedItem, onDrainQueuedWork } from './queue-actions.js';
import { onSessionTitleGenerated } from './title.js';
import { onToolExecutionStarted, onToolResult } from './tool-results.js';
import { onMcpServerStateChanged, onToolSchemas } from './tools-and-mcp.js';
import { onDirectBashCommand, onUserEditedMessage, onUserInput } from './user-input.js';

export type { ReduceResult } from './context.js';

function dispatch(ctx: ReduceCtx, action: Action): void {
  switch (action.type) {
    case 'UserInput':
      onUserInput(ctx, action);
      return;
    case 'UserEditedMessage':
      onUserEditedMessage(ctx, action);
      return;
    case 'ToolApprovalRequested':
      onToolApprovalRequested(ctx, action);
      return;
    case 'ToolApprovalDecided':
      onToolApprovalDecided(ctx, action);
      return;
    case 'ToolExecutionStarted':
      onToolExecutionStarted(ctx, action);
      return;
    case 'ToolResult':
      onToolResult(ctx, action);
      return;
    case 'ToolSchemasAvailable':
    case 'ToolSchemasUpdated':
      onToolSchemas(ctx, action);
      return;
    case 'SwitchPrimaryAgent':
      onSwitchPrimaryAgent(ctx, action);
      return;
    case 'McpServerStateChanged':
      onMcpServerStateChanged(ctx, action);
      return;
    case 'ModelResponseComplete':
      onModelResponseComplete(ctx, action);
      return;
    case 'ModelResponseError':
      onModelResponseError(ctx, action);
      return;
    case 'SessionTitleGenerated':
      onSessionTitleGenerated(ctx, action);
      return;
    case 'SessionTitleGenerationFailed':
      return; // spec §3.3.13: logged only
    case 'Cancel':
      onCancel(ctx, action);
      return;
    case 'DirectBashCommand':
      onDirectBashCommand(ctx, action);
      return;
    case 'DequeueQueuedItem':
      onDequeueQueuedItem(ctx);
      return;
    case 'DrainQueuedWork':
      onDrainQueuedWork(ctx);
      return;
    case 'RequestCompaction':
      onRequestCompaction(ctx, action);
      return;
    case 'Shutdown':
      return;
    case 'Hydrate':
      onHydrate(ctx, action);
      return;
    case 'WorkspaceFilesListed':
      ctx.state.workspaceFiles = orSharedEmpty(action.files);
      return;
    case 'CompactionComplete':
      onCompactionComplete(ctx, action);
      return;
    case 'CompactionFailed':
      onCompactionFailed(ctx, action);
      return;
  }
}

/**
 * spec §3: the reducer. Mutates `state` in place and returns the events to persist (in emission order) and the
 * effects for the actor (in order). Throws `InvalidActionError` (spec §3.0) before changing any state.
 * Never reads the clock or mints ids except through `deps` (deliberate change 11). Live reduce never advances
 * `eventSequence` (§11.30).
 */
export function reduce(state: AppState, action: Action, deps: ReducerDeps): ReduceResult {
  const ctx = createCtx(state, deps, action.type === 'Shutdown' ? state.sessionId : action.sessionId);
  dispatch(ctx, action);
  return finishReduce(ctx);
}
