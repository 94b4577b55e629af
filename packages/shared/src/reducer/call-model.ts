import type { ModelId } from '../schemas/ids.js';
import type { ReduceCtx } from './context.js';

/**
 * spec §3.2.1 `callModel`: a fresh array of the active thread's (immutable) message objects, the cached system
 * context and a copy of the tool list.
 */
export function callModel(ctx: ReduceCtx, opId: string, model: ModelId): void {
  const { state } = ctx;
  ctx.effects.push({
    type: 'CallModel',
    sessionId: ctx.sessionId,
    opId,
    model,
    messages: state.messageGraph.getActiveThread(),
    systemContext: state.cachedSystemContext,
    tools: state.tools.slice(),
  });
}
