import { filterToolsByVisibility } from '../policy/visibility.js';
import type { ActionOf } from '../schemas/actions.js';
import { mapWith, orSharedEmpty } from '../state/shared-collections.js';
import { emit, type ReduceCtx } from './context.js';

/** spec §3.3.7: replace the tool list (the actor filtered it already; `source` is ignored). */
export function onToolSchemas(
  ctx: ReduceCtx,
  a: ActionOf<'ToolSchemasAvailable'> | ActionOf<'ToolSchemasUpdated'>,
): void {
  ctx.state.tools = orSharedEmpty(a.type === 'ToolSchemasAvailable' ? a.tools : a.schemas);
}

/** spec §3.3.9 (the tool list is replaced, never mutated in place). */
export function onMcpServerStateChanged(ctx: ReduceCtx, a: ActionOf<'McpServerStateChanged'>): void {
  const { state } = ctx;
  const s = a.state;
  if (s.type === 'Connected') {
    const config = state.sessionConfig;
    const offered =
      config === undefined ? s.tools : filterToolsByVisibility(config.toolConfig.visibility, s.tools);
    const present = new Set(state.tools.map((t) => t.name));
    const added = [];
    for (const t of offered) {
      if (present.has(t.name)) continue;
      present.add(t.name);
      added.push(t);
    }
    if (added.length > 0) state.tools = [...state.tools, ...added];
  } else if (s.type === 'Disconnected' || s.type === 'Failed') {
    const prefix = `mcp__${a.serverName}__`;
    state.tools = orSharedEmpty(state.tools.filter((t) => !t.name.startsWith(prefix)));
  }
  state.mcpServers = mapWith(state.mcpServers, a.serverName, s);
  emit(ctx, { type: 'McpServerStateChanged', serverName: a.serverName, state: s });
}
