import { resolveEffectiveConfig } from '../../agents/primary-agents.js';
import { applyEvent } from '../../replay/apply-event.js';
import type { Action, ActionOf } from '../../schemas/actions.js';
import { type SessionConfig, SessionConfigSchema } from '../../schemas/config.js';
import type { AssistantContent, ToolCall, ToolSchema, UserContent } from '../../schemas/content.js';
import type { Effect, EffectOf, EffectType } from '../../schemas/effects.js';
import type { EventOf, SessionEvent, SessionEventType } from '../../schemas/events.js';
import type { ModelId } from '../../schemas/ids.js';
import type { Message } from '../../schemas/message.js';
import type { ToolResult } from '../../schemas/tool-result.js';
import type { TokenUsage } from '../../schemas/usage.js';
import { type AppState, applySessionConfig, createAppState } from '../../state/app-state.js';
import { startOperation } from '../../state/operations.js';
import { mapWith } from '../../state/shared-collections.js';
import { type ReducerDeps, sequentialDeps } from '../deps.js';
import { type ReduceResult, reduce } from '../reduce.js';

export const SID = 'session-1';
export const SIM: ModelId = { provider: 'simulated', id: 'sim' };
export const SONNET: ModelId = { provider: 'anthropic', id: 'claude-sonnet-4-5' };

/** A parsed, effective (resolved) config for `agent`. */
export function makeConfig(overrides: Record<string, unknown> = {}, agent = 'normal'): SessionConfig {
  const base = SessionConfigSchema.parse({
    workspace: { type: 'local', path: '/w' },
    toolConfig: {},
    defaultModel: SIM,
    ...overrides,
  });
  return resolveEffectiveConfig({ ...base, primaryAgentId: agent });
}

/** A fresh state with no config (spec §10 "fresh state"). */
export const freshState = (): AppState => createAppState(SID);

/** A state created as the runtime does: `SessionCreated` applied through replay. */
export function createdState(config: SessionConfig = makeConfig()): {
  state: AppState;
  created: SessionEvent;
} {
  const state = createAppState(SID);
  const created: SessionEvent = { type: 'SessionCreated', config, metadata: config.metadata };
  applyEvent(state, created);
  return { state, created };
}

/** A state with an applied `normal` config (not through events). */
export function stateWithConfig(config: SessionConfig = makeConfig()): AppState {
  const state = createAppState(SID);
  applySessionConfig(state, config, config.primaryAgentId, true);
  return state;
}

/** "active loop op": an AgentLoop op with no pending tools, optionally with a model. */
export function withLoopOp(state: AppState, opId = 'op-1', model: ModelId | undefined = SONNET): AppState {
  startOperation(state, opId, { type: 'AgentLoop' });
  if (model !== undefined) state.operationModels = mapWith(state.operationModels, opId, model);
  return state;
}

export const text = (t: string): UserContent => ({ type: 'text', text: t });
export const atext = (t: string): AssistantContent => ({ type: 'text', text: t });
export const call = (id: string, name: string, parameters: unknown = {}): ToolCall => ({
  id,
  name,
  parameters,
});
export const callBlock = (c: ToolCall): AssistantContent => ({ type: 'tool_call', toolCall: c });
export const external = (payload: string, toolName = 'test_tool'): ToolResult => ({
  type: 'External',
  toolName,
  payload,
});
export const schema = (
  name: string,
  inputSchema: Record<string, unknown> = { type: 'object', properties: {} },
): ToolSchema => ({
  name,
  displayName: '',
  description: name,
  inputSchema,
});

export const userInput = (
  content: string | UserContent[],
  opId: string,
  messageId = `m-${opId}`,
  model: ModelId = SONNET,
  timestamp = 100,
): ActionOf<'UserInput'> => ({
  type: 'UserInput',
  sessionId: SID,
  content: typeof content === 'string' ? [text(content)] : content,
  opId,
  messageId,
  model,
  timestamp,
});

export const response = (
  opId: string,
  messageId: string,
  content: AssistantContent[],
  extra: { usage?: TokenUsage; contextWindowTokens?: number; configuredMaxOutputTokens?: number } = {},
): ActionOf<'ModelResponseComplete'> => ({
  type: 'ModelResponseComplete',
  sessionId: SID,
  opId,
  messageId,
  content,
  timestamp: 200,
  ...extra,
});

export const toolResult = (
  opId: string,
  toolCallId: string,
  toolName: string,
  result: ToolResult = external('ok', toolName),
): ActionOf<'ToolResult'> => ({
  type: 'ToolResult',
  sessionId: SID,
  opId,
  toolCallId,
  toolName,
  result: { ok: true, value: result },
});

export const approvalRequested = (
  requestId: string,
  toolCall: ToolCall,
): ActionOf<'ToolApprovalRequested'> => ({
  type: 'ToolApprovalRequested',
  sessionId: SID,
  requestId,
  toolCall,
});

export const decided = (
  requestId: string,
  decision: 'Approved' | 'Denied',
  remember?: ActionOf<'ToolApprovalDecided'>['remember'],
): ActionOf<'ToolApprovalDecided'> =>
  remember === undefined
    ? { type: 'ToolApprovalDecided', sessionId: SID, requestId, decision }
    : { type: 'ToolApprovalDecided', sessionId: SID, requestId, decision, remember };

export const cancel = (opId?: string): ActionOf<'Cancel'> =>
  opId === undefined ? { type: 'Cancel', sessionId: SID } : { type: 'Cancel', sessionId: SID, opId };

/** A test driver: reduces actions and records every emitted event. */
export class Driver {
  readonly log: SessionEvent[] = [];
  readonly deps: ReducerDeps;
  constructor(
    readonly state: AppState,
    deps?: ReducerDeps,
  ) {
    this.deps = deps ?? sequentialDeps('gen-');
  }
  run(action: Action): ReduceResult {
    const r = reduce(this.state, action, this.deps);
    this.log.push(...r.events);
    return r;
  }
}

export const eventsOf = <T extends SessionEventType>(r: { events: SessionEvent[] }, type: T): EventOf<T>[] =>
  r.events.filter((e): e is EventOf<T> => e.type === type);
export const effectsOf = <T extends EffectType>(r: { effects: Effect[] }, type: T): EffectOf<T>[] =>
  r.effects.filter((e): e is EffectOf<T> => e.type === type);
export const eventTypes = (r: { events: SessionEvent[] }): SessionEventType[] => r.events.map((e) => e.type);
export const effectTypes = (r: { effects: Effect[] }): EffectType[] => r.effects.map((e) => e.type);
export const ids = (messages: readonly Message[]): string[] => messages.map((m) => m.id);

/** "auto-compact state": `normal` config (auto-compaction enabled at 90 %) and `n` linked user messages. */
export function autoCompactState(
  n: number,
  autoCompaction = { enabled: true, thresholdPercent: 90 },
): AppState {
  const state = stateWithConfig(makeConfig({ autoCompaction }));
  let parent: string | null = null;
  for (let i = 0; i < n; i++) {
    const id = `seed-${i}`;
    state.messageGraph.add({
      role: 'user',
      id,
      parentMessageId: parent,
      timestamp: i,
      content: [text(`msg ${i}`)],
    });
    parent = id;
  }
  return state;
}

/** A minimal dispatch-agent input schema (target required). */
export const DISPATCH_AGENT_SCHEMA = schema('dispatch_agent', {
  type: 'object',
  properties: {
    prompt: { type: 'string' },
    target: {
      oneOf: [
        {
          type: 'object',
          properties: { session: { const: 'new' }, workspace: { type: 'object' }, agent: { type: 'string' } },
          required: ['session', 'workspace'],
        },
        {
          type: 'object',
          properties: { session: { const: 'resume' }, session_id: { type: 'string' } },
          required: ['session', 'session_id'],
        },
      ],
    },
  },
  required: ['prompt', 'target'],
});

/** Text of every user/assistant text block of a message list (for thread assertions). */
export function texts(messages: readonly Message[]): string[] {
  const out: string[] = [];
  for (const m of messages) {
    if (m.role === 'tool') continue;
    for (const c of m.content) if (c.type === 'text') out.push(c.text);
  }
  return out;
}
