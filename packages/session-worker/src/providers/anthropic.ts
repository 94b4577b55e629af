import Anthropic from '@anthropic-ai/sdk';
import type {
  Tool as AnthropicTool,
  ContentBlockParam,
  ImageBlockParam,
  MessageParam,
  RawMessageStreamEvent,
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

type Block =
  | { kind: 'text'; text: string }
  | { kind: 'thinking'; text: string; signature: string }
  | { kind: 'redacted'; data: string }
  | { kind: 'tool'; id: string; name: string; json: string; input: unknown };

function parseToolInput(b: Extract<Block, { kind: 'tool' }>): unknown {
  if (b.json.trim().length === 0) return b.input ?? {};
  try {
    return JSON.parse(b.json);
  } catch (e) {
    throw ModelCallError.streamFailed(
      `invalid JSON input for tool call ${b.name} (${b.id}): ${(e as Error).message}`,
      'response_parsing_error',
      e,
    );
  }
}

/**
 * Anthropic Messages API, streamed (`stream: true`). Text, thinking and tool-input deltas are forwarded as
 * ProviderDeltas; the final content is assembled from the content blocks in index order. The SDK retries
 * failed requests before any byte of the stream arrived, so no `reset` is ever needed.
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
    let started = false;
    try {
      const stream = await this.client.messages.create(
        {
          model: req.model.id,
          max_tokens: anthropicModelInfo(req.model.id).maxOutputTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
          messages: toAnthropicMessages(req.messages),
          ...(system !== undefined ? { system } : {}),
          ...(req.tools.length > 0 ? { tools: toAnthropicTools(req.tools) } : {}),
          stream: true,
        },
        { signal: req.signal },
      );
      started = true;
      const blocks = new Map<number, Block>();
      let inputTokens = 0;
      let outputTokens = 0;
      let complete = false;
      for await (const ev of stream as AsyncIterable<RawMessageStreamEvent>) {
        switch (ev.type) {
          case 'message_start': {
            const u = ev.message.usage;
            inputTokens =
              u32(u.input_tokens) + u32(u.cache_creation_input_tokens) + u32(u.cache_read_input_tokens);
            outputTokens = u32(u.output_tokens);
            break;
          }
          case 'content_block_start': {
            const cb = ev.content_block;
            if (cb.type === 'text') blocks.set(ev.index, { kind: 'text', text: cb.text });
            else if (cb.type === 'thinking') {
              blocks.set(ev.index, { kind: 'thinking', text: cb.thinking, signature: cb.signature });
            } else if (cb.type === 'redacted_thinking')
              blocks.set(ev.index, { kind: 'redacted', data: cb.data });
            else if (cb.type === 'tool_use') {
              blocks.set(ev.index, { kind: 'tool', id: cb.id, name: cb.name, json: '', input: cb.input });
            }
            // Server-side tool blocks are not part of Shoal's content model and are skipped.
            break;
          }
          case 'content_block_delta': {
            const b = blocks.get(ev.index);
            const d = ev.delta;
            if (d.type === 'text_delta' && b?.kind === 'text') {
              b.text += d.text;
              onDelta?.({ type: 'text', delta: d.text });
            } else if (d.type === 'thinking_delta' && b?.kind === 'thinking') {
              b.text += d.thinking;
              onDelta?.({ type: 'thinking', delta: d.thinking });
            } else if (d.type === 'signature_delta' && b?.kind === 'thinking') {
              b.signature += d.signature;
            } else if (d.type === 'input_json_delta' && b?.kind === 'tool') {
              b.json += d.partial_json;
              onDelta?.({ type: 'tool_call_args', toolCallId: b.id, delta: d.partial_json });
            }
            break;
          }
          case 'message_delta': {
            // Usage here is cumulative for the whole message.
            outputTokens = u32(ev.usage.output_tokens);
            if (ev.usage.input_tokens != null) {
              inputTokens =
                u32(ev.usage.input_tokens) +
                u32(ev.usage.cache_creation_input_tokens) +
                u32(ev.usage.cache_read_input_tokens);
            }
            break;
          }
          case 'message_stop':
            complete = true;
            break;
          case 'content_block_stop':
            break;
        }
      }
      if (req.signal.aborted) throw ModelCallError.cancelled(); // the SDK ends an aborted stream silently
      if (!complete) throw ModelCallError.missingCompletion();
      const content: AssistantContent[] = [];
      for (const [, b] of [...blocks.entries()].sort((x, y) => x[0] - y[0])) {
        if (b.kind === 'text') {
          if (b.text.length > 0) content.push({ type: 'text', text: b.text });
        } else if (b.kind === 'thinking') {
          const thought = b.signature
            ? { type: 'signed' as const, text: b.text, signature: b.signature }
            : { type: 'simple' as const, text: b.text };
          content.push({ type: 'thought', thought });
        } else if (b.kind === 'redacted') {
          content.push({ type: 'thought', thought: { type: 'redacted', data: b.data } });
        } else {
          content.push({
            type: 'tool_call',
            toolCall: { id: b.id, name: b.name, parameters: parseToolInput(b) },
          });
        }
      }
      const usage: TokenUsage = { inputTokens, outputTokens, totalTokens: u32(inputTokens + outputTokens) };
      return { content, usage };
    } catch (err) {
      throw anthropicError(err, req.signal, started);
    }
  }
}
