import type { ActionOf } from '../schemas/actions.js';
import { setSessionTitleConfig, titleMissing } from '../state/app-state.js';
import { copyRecord } from '../state/copy-record.js';
import { sanitizeTitle } from '../title.js';
import { emit, type ReduceCtx } from './context.js';

/**
 * spec §3.3.13 with deliberate change 3 (§11.3): the first title wins; it is set on the effective config
 * without `applySessionConfig`'s destructive steps, so pending and remembered approvals survive. The event is
 * tagged `reason: 'title'` so replay applies it the same way.
 */
export function onSessionTitleGenerated(ctx: ReduceCtx, a: ActionOf<'SessionTitleGenerated'>): void {
  const { state } = ctx;
  const config = state.sessionConfig;
  if (config === undefined || !titleMissing(state)) return;
  // copyRecord, not a spread: the titled config lives as long as the session (copy-record.ts).
  const updated = copyRecord(config, { title: sanitizeTitle(a.title) });
  const agentId = state.primaryAgentId ?? updated.primaryAgentId ?? 'normal';
  setSessionTitleConfig(state, updated, agentId);
  emit(ctx, { type: 'SessionConfigUpdated', config: updated, primaryAgentId: agentId, reason: 'title' });
}
