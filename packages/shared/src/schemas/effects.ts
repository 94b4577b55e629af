import type { BackendConfig } from './config.js';
import type { ToolCall, ToolSchema } from './content.js';
import type { ModelId } from './ids.js';
import type { Message } from './message.js';
import type { SystemContext } from './system-context.js';

/**
 * spec §5: what the reducer asks the session actor to do. Events are returned separately by `reduce`
 * (deliberate change 9: one action's events are appended as one atomic batch before any effect runs), so
 * there is no `EmitEvent` effect here. Effects are plain, structured-cloneable objects.
 */
export type Effect =
  | {
      type: 'CallModel';
      sessionId: string;
      opId: string;
      model: ModelId;
      messages: Message[];
      systemContext: SystemContext | undefined;
      tools: ToolSchema[];
    }
  | { type: 'ExecuteTool'; sessionId: string; opId: string; toolCall: ToolCall }
  // Deliberate change 1: the `ApprovalRequested` event is emitted once by the reducer; this effect only
  // tells the actor a decision is awaited (it appends nothing).
  | { type: 'RequestUserApproval'; sessionId: string; requestId: string; toolCall: ToolCall }
  | { type: 'GenerateSessionTitle'; sessionId: string; opId: string; model: ModelId; userPrompt: string }
  | { type: 'CancelOperation'; sessionId: string; opId: string }
  | { type: 'RequestCompaction'; sessionId: string; opId: string; model: ModelId }
  | { type: 'ReloadToolSchemas'; sessionId: string }
  | { type: 'ConnectMcpServer'; sessionId: string; config: BackendConfig }
  | { type: 'DisconnectMcpServer'; sessionId: string; serverName: string };
export type EffectType = Effect['type'];
export type EffectOf<T extends EffectType> = Extract<Effect, { type: T }>;
