import { replayEvents } from '../replay/apply-event.js';
import type { ActionOf } from '../schemas/actions.js';
import type { ReduceCtx } from './context.js';

/** spec §3.3.20 `Hydrate` (unused in production, §11.7). */
export function onHydrate(ctx: ReduceCtx, a: ActionOf<'Hydrate'>): void {
  const { state } = ctx;
  replayEvents(state, a.events);
  state.eventSequence = a.startingSequence;
  const config = state.sessionConfig;
  if (config === undefined) return;
  for (const b of config.toolConfig.backends) {
    const recorded = state.mcpServers.get(b.serverName)?.type;
    if (recorded !== 'Connecting' && recorded !== 'Connected') {
      ctx.effects.push({ type: 'ConnectMcpServer', sessionId: ctx.sessionId, config: b });
    }
  }
}
