import type { ReduceResult } from '../reducer/context.js';
import type { ReducerDeps } from '../reducer/deps.js';
import { cancelledText } from '../reducer/tool-failure.js';
import type { SessionEvent } from '../schemas/events.js';
import type { ToolMessage } from '../schemas/message.js';
import type { AppState } from '../state/app-state.js';
import { applyEvent } from './apply-event.js';

/**
 * Deliberate change 6 (§11.15): closes, as cancelled, the operation the log left open when the process stopped
 * (`state.interruptedOperation`, tracked by replay). The events mirror a `Cancel` (spec §3.3.14):
 * `CompactResult{Cancelled}` for a compaction; for an agent loop a synthetic `Cancelled` result for the
 * unanswered approval's call and every outstanding tool call (`ToolCallFailed` when the op's model is known,
 * then `ToolMessageAdded` with id `cancelled_<id>`); then `OperationCancelled{reason: 'interrupted'}`.
 * Unlike a user cancel the queue is not popped (the caller drains it afterwards) and no effect is returned
 * (nothing is running any more). The events are applied to `state` as replay would apply them, so
 * `state` equals the replay of the log plus these events; the caller appends them as one batch.
 * `info.pendingToolCalls` counts the synthetic results (1 for a direct-bash op: its command never reported).
 */
export function recoverInterruptedOperation(state: AppState, _deps: ReducerDeps): ReduceResult {
  const open = state.interruptedOperation;
  if (open === undefined) return { events: [], effects: [] };
  const events: SessionEvent[] = [];
  const push = (event: SessionEvent) => {
    events.push(event);
    applyEvent(state, event);
  };
  const { opId, kind, model } = open;
  if (kind.type === 'Compact') {
    push({ type: 'CompactResult', result: { type: 'Cancelled' }, trigger: kind.trigger });
  }
  let closedCount = 0;
  if (kind.type === 'AgentLoop') {
    const closed = new Set<string>();
    const close = (id: string, name: string) => {
      if (closed.has(id)) return;
      closed.add(id);
      const message: ToolMessage = {
        role: 'tool',
        id: `cancelled_${id}`,
        parentMessageId: state.messageGraph.activeMessageId ?? null,
        timestamp: 0,
        toolUseId: id,
        result: { type: 'Error', error: { type: 'Cancelled', toolName: name } },
      };
      if (model !== undefined) push({ type: 'ToolCallFailed', id, name, error: cancelledText(name), model });
      push({ type: 'ToolMessageAdded', message });
    };
    const pending = open.pendingApproval;
    const outstanding = [...open.outstandingToolCalls];
    if (pending !== undefined) close(pending.toolCall.id, pending.toolCall.name);
    for (const [id, name] of outstanding) close(id, name);
    closedCount = closed.size;
  } else if (kind.type === 'DirectBash') {
    closedCount = 1;
  }
  push({ type: 'OperationCancelled', opId, info: { pendingToolCalls: closedCount }, reason: 'interrupted' });
  return { events, effects: [] };
}
