import Anthropic from '@anthropic-ai/sdk';
import type {
  Message as AnthropicMessage,
  Tool as AnthropicTool,
  ContentBlockParam,
  ImageBlockParam,
  MessageParam,
  ToolUseBlock,
} from '@anthropic-ai/sdk/resources/messages/messages';
import {
  type AssistantContent,
  type ImageContent,
  type Message,
  renderSystemContext,
  type TokenUsage,
  type ToolSchema,
  toolResultLlmText,
  type UserContent,
} from '@shoal/shared';
import { u32 } from './http-error-kind.js';
import { ModelCallError } from './model-call-error.js';
import type {
  ModelInfo,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  ProviderDelta,
} from './model-provider.js';
import { type HostedProviderOptions, sdkClientOptions } from './provider-options.js';
import { sdkCallError } from './sdk-error.js';

export const ANTHROPIC_PROVIDER_ID = 'anthropic';
/** `max_tokens` is required by the Messages API; used when the catalog does not know the model. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 8192;

/** spec §1.2 catalog facts by model-id prefix (first match wins). */
const CATALOG: ReadonlyArray<readonly [string, ModelInfo]> = [
  ['claude-opus-4-1', { contextWindowTokens: 200_000, maxOutputTokens: 32_000 }],
  ['claude-opus-4-0', { contextWindowTokens: 200_000, maxOutputTokens: 32_000 }],
  ['claude-opus-4', { contextWindowTokens: 200_000, maxOutputTokens: 64_000 }],
  ['claude-sonnet-4', { contextWindowTokens: 200_000, maxOutputTokens: 64_000 }],
  ['claude-haiku-4', { contextWindowTokens: 200_000, maxOutputTokens: 64_000 }],
  ['claude-3-7-sonnet', { contextWindowTokens: 200_000, maxOutputTokens: 64_000 }],
  ['claude-3-5', { contextWindowTokens: 200_000, maxOutputTokens: 8_192 }],
  // Newer or unlisted Claude models: every one so far has at least a 200k window.
  ['claude-', { contextWindowTokens: 200_000 }],
];

export function anthropicModelInfo(modelId: string): ModelInfo {
  const hit = CATALOG.find(([prefix]) => modelId.startsWith(prefix));
  return hit ? { ...hit[1] } : {};
}

function imageBlock(image: ImageContent): ContentBlockParam {
  const src = image.source;
  if (src.type === 'url') return { type: 'image', source: { type: 'url', url: src.url } };
  if (src.type === 'data_url') {
    const m = /^data:([^;,]+);base64,(.*)$/s.exec(src.dataUrl);
    if (m) {
      const mediaType = m[1] as Extract<ImageBlockParam['source'], { type: 'base64' }>['media_type'];
      return { type: 'image', source: { type: 'base64', media_type: mediaType, data: m[2] ?? '' } };
    }
  }
  // A session file lives in the workspace, which a provider cannot read: name it instead.
  const name = src.type === 'session_file' ? src.relativePath : image.mimeType;
  return { type: 'text', text: `[image: ${name}]` };
}

function userBlocks(content: UserContent[]): ContentBlockParam[] {
  const out: ContentBlockParam[] = [];
  for (const c of content) {
    if (c.type === 'text') {
      if (c.text.length > 0) out.push({ type: 'text', text: c.text });
    } else if (c.type === 'image') {
      out.push(imageBlock(c.image));
    } else {
      out.push({ type: 'text', text: commandExecutionText(c) });
    }
  }
  return out;
}

/** A direct bash run (§3.2.4) as the model sees it. */
export function commandExecutionText(c: Extract<UserContent, { type: 'command_execution' }>): string {
  const parts = [`$ ${c.command}`];
  if (c.stdout.length > 0) parts.push(c.stdout);
  if (c.stderr.length > 0) parts.push(`stderr:\n${c.stderr}`);
  parts.push(`exit code: ${c.exitCode}`);
  return parts.join('\n');
}

function assistantBlocks(content: AssistantContent[]): ContentBlockParam[] {
  const out: ContentBlockParam[] = [];
  for (const c of content) {
    if (c.type === 'text') {
      if (c.text.length > 0) out.push({ type: 'text', text: c.text });
    } else if (c.type === 'tool_call') {
      out.push({
        type: 'tool_use',
        id: c.toolCall.id,
        name: c.toolCall.name,
        input: c.toolCall.parameters ?? {},
      });
    } else if (c.type === 'thought') {
      // Only signed/redacted thinking can be replayed to the API; unsigned thoughts are dropped.
      if (c.thought.type === 'signed') {
        out.push({ type: 'thinking', thinking: c.thought.text, signature: c.thought.signature });
      } else if (c.thought.type === 'redacted') {
        out.push({ type: 'redacted_thinking', data: c.thought.data });
      }
    }
    // Assistant images cannot be sent back to the Messages API.
  }
  return out;
}

/**
 * Messages → Anthropic turns: tool results become `tool_result` blocks of a user turn, consecutive turns of
 * one role are merged (the API wants alternation), empty turns are dropped.
 */
export function toAnthropicMessages(messages: Message[]): MessageParam[] {
  const out: MessageParam[] = [];
  const push = (role: 'user' | 'assistant', blocks: ContentBlockParam[]): void => {
    if (blocks.length === 0) return;
    const last = out.at(-1);
    if (last && last.role === role && Array.isArray(last.content)) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const m of messages) {
    if (m.role === 'user') push('user', userBlocks(m.content));
    else if (m.role === 'assistant') push('assistant', assistantBlocks(m.content));
    else {
      push('user', [
        {
          type: 'tool_result',
          tool_use_id: m.toolUseId,
          content: toolResultLlmText(m.result),
          ...(m.result.type === 'Error' ? { is_error: true } : {}),
        },
      ]);
    }
  }
  return out;
}

export const toAnthropicTools = (tools: ToolSchema[]): AnthropicTool[] =>
  tools.map((t) => ({
    name: t.name,
    description: t.description,
    input_schema: { type: 'object', ...t.inputSchema } as AnthropicTool['input_schema'],
  }));

/** Maps any failure of a call to a ModelCallError; `started` = the response stream had begun. */
export function anthropicError(err: unknown, signal: AbortSignal, started: boolean): ModelCallError {
  return sdkCallError(
    err,
    signal,
    started,
    Anthropic,
    (e) => (e as InstanceType<typeof Anthropic.APIError>).type,
  );
}

/** A tool's input, parsed strictly: the SDK's own parse is lenient (it repairs truncated JSON). */
function toolInput(block: ToolUseBlock, json: string | undefined): unknown {
  if (json === undefined || json.trim().length === 0) return block.input ?? {};
  try {
    return JSON.parse(json);
  } catch (e) {
    throw ModelCallError.streamFailed(
      `invalid JSON input for tool call ${block.name} (${block.id}): ${(e as Error).message}`,
      'response_parsing_error',
      e,
    );
  }
}

/** The final message's blocks as Shoal content; server-side tool blocks are not part of Shoal's content model. */
function assistantContent(message: AnthropicMessage, toolJson: Map<string, string>): AssistantContent[] {
  const content: AssistantContent[] = [];
  for (const b of message.content) {
    if (b.type === 'text') {
      if (b.text.length > 0) content.push({ type: 'text', text: b.text });
    } else if (b.type === 'thinking') {
      const thought = b.signature
        ? { type: 'signed' as const, text: b.thinking, signature: b.signature }
        : { type: 'simple' as const, text: b.thinking };
      content.push({ type: 'thought', thought });
    } else if (b.type === 'redacted_thinking') {
      content.push({ type: 'thought', thought: { type: 'redacted', data: b.data } });
    } else if (b.type === 'tool_use') {
      const parameters = toolInput(b, toolJson.get(b.id));
      content.push({ type: 'tool_call', toolCall: { id: b.id, name: b.name, parameters } });
    }
  }
  return content;
}

function usageOf(message: AnthropicMessage): TokenUsage {
  const u = message.usage;
  const inputTokens =
    u32(u.input_tokens) + u32(u.cache_creation_input_tokens) + u32(u.cache_read_input_tokens);
  const outputTokens = u32(u.output_tokens);
  return { inputTokens, outputTokens, totalTokens: u32(inputTokens + outputTokens) };
}

/**
 * Anthropic Messages API through the SDK's `messages.stream()`, which assembles the final message. Text,
 * thinking and tool-input deltas are forwarded as ProviderDeltas as they arrive. The SDK retries failed
 * requests before any byte of the stream arrived, so no `reset` is ever needed.
 */
export class AnthropicProvider implements ModelProvider {
  readonly id = ANTHROPIC_PROVIDER_ID;
  private readonly client: Anthropic;

  constructor(options: HostedProviderOptions = {}) {
    this.client = new Anthropic(sdkClientOptions(options));
  }

  modelInfo(modelId: string): ModelInfo {
    return anthropicModelInfo(modelId);
  }

  async complete(req: ModelRequest, onDelta?: (d: ProviderDelta) => void): Promise<ModelResponse> {
    if (req.signal.aborted) throw ModelCallError.cancelled();
    const system = renderSystemContext(req.systemContext);
    const stream = this.client.messages.stream(
      {
        model: req.model.id,
        max_tokens: anthropicModelInfo(req.model.id).maxOutputTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
        messages: toAnthropicMessages(req.messages),
        ...(system !== undefined ? { system } : {}),
        ...(req.tools.length > 0 ? { tools: toAnthropicTools(req.tools) } : {}),
      },
      { signal: req.signal },
    );
    let started = false;
    // The raw input JSON of each tool call, by id, for the strict parse at the end.
    const toolJson = new Map<string, string>();
    stream.on('connect', () => {
      started = true;
    });
    if (onDelta) {
      stream.on('text', (delta) => onDelta({ type: 'text', delta }));
      stream.on('thinking', (delta) => onDelta({ type: 'thinking', delta }));
    }
    stream.on('inputJson', (delta) => {
      // The SDK emits this for the block being streamed, the last one of the current message.
      const block = stream.currentMessage?.content.at(-1);
      if (block?.type !== 'tool_use') return;
      toolJson.set(block.id, (toolJson.get(block.id) ?? '') + delta);
      onDelta?.({ type: 'tool_call_args', toolCallId: block.id, delta });
    });
    try {
      await stream.done();
    } catch (err) {
      throw anthropicError(err, req.signal, started);
    }
    // A message counts as received only once its `message_stop` arrived.
    const message = stream.receivedMessages.at(-1);
    if (!message) throw ModelCallError.missingCompletion();
    return { content: assistantContent(message, toolJson), usage: usageOf(message) };
  }
}
