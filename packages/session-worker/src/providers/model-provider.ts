import type {
  AssistantContent,
  Message,
  ModelId,
  SystemContext,
  TokenUsage,
  ToolSchema,
} from '@shoal/shared';

/**
 * A streamed fragment of a model reply (spec §5.1). The interpreter maps these 1:1 to the §6 stream deltas:
 * text → TextChunk, thinking → ThinkingChunk, tool_call_args → ToolCallChunk(ArgumentChunk), reset → Reset.
 */
export type ProviderDelta =
  | { type: 'text'; delta: string }
  | { type: 'thinking'; delta: string }
  | { type: 'tool_call_args'; toolCallId: string; delta: string }
  | { type: 'reset' };

/** Why a model is being called: agent-loop turn (§5.1), session title (§5.3) or compaction (§5.5). */
export type ModelPurpose = 'turn' | 'title' | 'compaction';

export interface ModelRequest {
  model: ModelId;
  messages: Message[];
  systemContext?: SystemContext;
  /** An empty list means "no tools" (spec §5.1). */
  tools: ToolSchema[];
  /**
   * The op's cancellation token (spec §5.0): a call that waits and is aborted rejects with ModelCallError kind
   * `cancelled`. A turn's request hands it over on demand (Node makes a controller's signal when it is first
   * read), so a provider should read it only where it waits.
   */
  signal: AbortSignal;
  purpose: ModelPurpose;
}

/** The final completion: all content blocks of the assistant reply, and usage when the provider reports it. */
export interface ModelResponse {
  content: AssistantContent[];
  usage?: TokenUsage;
}

/** spec §1.2: the catalog facts the runtime needs; either may be unknown. */
export interface ModelInfo {
  contextWindowTokens?: number;
  maxOutputTokens?: number;
}

export interface ModelProvider {
  /** The `ModelId.provider` value this provider answers to. */
  readonly id: string;
  modelInfo(modelId: string): ModelInfo;
  /**
   * Run one completion. `onDelta` receives streamed fragments in order (omit it for title/compaction calls,
   * which stream nothing, §6). Rejects only with a `ModelCallError`.
   */
  complete(req: ModelRequest, onDelta?: (d: ProviderDelta) => void): Promise<ModelResponse>;
}
