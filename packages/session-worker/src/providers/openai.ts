import {
  type AssistantContent,
  type ImageContent,
  type Message,
  renderSystemContext,
  type ToolSchema,
  toolResultLlmText,
  type UserContent,
} from '@shoal/shared';
import OpenAI from 'openai';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionContentPart,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions/completions';
import { commandExecutionText } from './anthropic.js';
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

export const OPENAI_PROVIDER_ID = 'openai';

/** spec §1.2 catalog facts by model-id prefix (first match wins). */
const CATALOG: ReadonlyArray<readonly [string, ModelInfo]> = [
  ['gpt-5', { contextWindowTokens: 400_000, maxOutputTokens: 128_000 }],
  ['gpt-4.1', { contextWindowTokens: 1_047_576, maxOutputTokens: 32_768 }],
  ['gpt-4o', { contextWindowTokens: 128_000, maxOutputTokens: 16_384 }],
  ['o3', { contextWindowTokens: 200_000, maxOutputTokens: 100_000 }],
  ['o4-mini', { contextWindowTokens: 200_000, maxOutputTokens: 100_000 }],
];

export function openaiModelInfo(modelId: string): ModelInfo {
  const hit = CATALOG.find(([prefix]) => modelId.startsWith(prefix));
  return hit ? { ...hit[1] } : {};
}

function imagePart(image: ImageContent): ChatCompletionContentPart {
  const src = image.source;
  if (src.type === 'url') return { type: 'image_url', image_url: { url: src.url } };
  if (src.type === 'data_url') return { type: 'image_url', image_url: { url: src.dataUrl } };
  // A session file lives in the workspace, which a provider cannot read: name it instead.
  return { type: 'text', text: `[image: ${src.relativePath}]` };
}

function userParts(content: UserContent[]): ChatCompletionContentPart[] {
  const out: ChatCompletionContentPart[] = [];
  for (const c of content) {
    if (c.type === 'text') {
      if (c.text.length > 0) out.push({ type: 'text', text: c.text });
    } else if (c.type === 'image') out.push(imagePart(c.image));
    else out.push({ type: 'text', text: commandExecutionText(c) });
  }
  return out;
}

function assistantMessage(content: AssistantContent[]): ChatCompletionMessageParam | undefined {
  const text = content
    .filter((c): c is Extract<AssistantContent, { type: 'text' }> => c.type === 'text')
    .map((c) => c.text)
    .join('');
  const toolCalls = content
    .filter((c): c is Extract<AssistantContent, { type: 'tool_call' }> => c.type === 'tool_call')
    .map((c) => ({
      id: c.toolCall.id,
      type: 'function' as const,
      function: { name: c.toolCall.name, arguments: JSON.stringify(c.toolCall.parameters ?? {}) },
    }));
  // Thoughts and images are not replayable through Chat Completions.
  if (text.length === 0 && toolCalls.length === 0) return undefined;
  return {
    role: 'assistant',
    content: text.length > 0 ? text : null,
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
}

/** Messages (+ rendered system context) → Chat Completions messages; empty messages are dropped. */
export function toOpenAIMessages(
  messages: Message[],
  system: string | undefined,
): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [];
  if (system !== undefined) out.push({ role: 'system', content: system });
  for (const m of messages) {
    if (m.role === 'user') {
      const parts = userParts(m.content);
      if (parts.length > 0) out.push({ role: 'user', content: parts });
    } else if (m.role === 'assistant') {
      const a = assistantMessage(m.content);
      if (a) out.push(a);
    } else {
      out.push({ role: 'tool', tool_call_id: m.toolUseId, content: toolResultLlmText(m.result) });
    }
  }
  return out;
}

export const toOpenAITools = (tools: ToolSchema[]): ChatCompletionTool[] =>
  tools.map((t) => ({
    type: 'function',
    function: { name: t.name, description: t.description, parameters: { type: 'object', ...t.inputSchema } },
  }));

/** Maps any failure of a call to a ModelCallError; `started` = the response stream had begun. */
export function openaiError(err: unknown, signal: AbortSignal, started: boolean): ModelCallError {
  return sdkCallError(err, signal, started, OpenAI, (e) => {
    const o = e as InstanceType<typeof OpenAI.APIError>;
    return o.type ?? o.code;
  });
}

/** Some OpenAI-compatible servers stream reasoning text in a non-standard delta field. */
type ReasoningDelta = ChatCompletionChunk.Choice.Delta & {
  reasoning_content?: string | null;
  reasoning?: string | null;
};

/**
 * True for the stream helper's own complaint that the stream ended before a finished completion (no
 * `finish_reason`, no chunk at all); an error of the connection or of the API carries a cause or is an APIError.
 */
const isIncompleteStream = (err: unknown): boolean =>
  err instanceof OpenAI.OpenAIError && !(err instanceof OpenAI.APIError) && err.cause === undefined;

function parseArgs(id: string, name: string, args: string): unknown {
  if (args.trim().length === 0) return {};
  try {
    return JSON.parse(args);
  } catch (e) {
    throw ModelCallError.streamFailed(
      `invalid JSON arguments for tool call ${name} (${id}): ${(e as Error).message}`,
      'response_parsing_error',
      e,
    );
  }
}

/**
 * OpenAI Chat Completions through the SDK's `chat.completions.stream()` (with `include_usage`), which assembles
 * the final completion. Content and reasoning deltas are forwarded; tool-call argument fragments are forwarded
 * under the call's id (learned from its first fragment). A stream that ends before a choice reported a
 * `finish_reason` fails with MissingCompletion.
 */
export class OpenAIProvider implements ModelProvider {
  readonly id = OPENAI_PROVIDER_ID;
  private readonly client: OpenAI;

  constructor(options: HostedProviderOptions = {}) {
    this.client = new OpenAI(sdkClientOptions(options));
  }

  modelInfo(modelId: string): ModelInfo {
    return openaiModelInfo(modelId);
  }

  async complete(req: ModelRequest, onDelta?: (d: ProviderDelta) => void): Promise<ModelResponse> {
    if (req.signal.aborted) throw ModelCallError.cancelled();
    const stream = this.client.chat.completions.stream(
      {
        model: req.model.id,
        messages: toOpenAIMessages(req.messages, renderSystemContext(req.systemContext)),
        ...(req.tools.length > 0 ? { tools: toOpenAITools(req.tools) } : {}),
        stream_options: { include_usage: true },
      },
      { signal: req.signal },
    );
    let started = false;
    let finished = false;
    // The SDK keeps only the last value of a non-standard delta field, so reasoning is accumulated here.
    let reasoning = '';
    const callIds = new Map<number, string>();
    stream.on('connect', () => {
      started = true;
    });
    stream.on('chunk', (chunk) => {
      const choice = chunk.choices[0];
      if (!choice) return;
      if (choice.finish_reason) finished = true;
      const delta = choice.delta as ReasoningDelta | undefined;
      const thinking = delta?.reasoning_content ?? delta?.reasoning;
      if (thinking) {
        reasoning += thinking;
        onDelta?.({ type: 'thinking', delta: thinking });
      }
      if (delta?.content) onDelta?.({ type: 'text', delta: delta.content });
      for (const tc of delta?.tool_calls ?? []) {
        let id = callIds.get(tc.index);
        if (id === undefined) {
          id = tc.id ?? `call_${tc.index}`;
          callIds.set(tc.index, id);
        }
        const args = tc.function?.arguments;
        if (args) onDelta?.({ type: 'tool_call_args', toolCallId: id, delta: args });
      }
    });
    let completion: ChatCompletion;
    try {
      completion = await stream.finalChatCompletion();
    } catch (err) {
      if (started && !finished && !req.signal.aborted && isIncompleteStream(err))
        throw ModelCallError.missingCompletion();
      throw openaiError(err, req.signal, started);
    }
    const message = completion.choices[0]?.message;
    const content: AssistantContent[] = [];
    if (reasoning.length > 0) content.push({ type: 'thought', thought: { type: 'simple', text: reasoning } });
    if (message?.content) content.push({ type: 'text', text: message.content });
    for (const [index, call] of (message?.tool_calls ?? []).entries()) {
      if (call.type !== 'function') continue;
      const id = callIds.get(index) ?? call.id;
      const { name } = call.function;
      content.push({
        type: 'tool_call',
        toolCall: { id, name, parameters: parseArgs(id, name, call.function.arguments) },
      });
    }
    const u = completion.usage;
    if (!u) return { content };
    const usage = {
      inputTokens: u32(u.prompt_tokens),
      outputTokens: u32(u.completion_tokens),
      totalTokens: u32(u.total_tokens),
    };
    return { content, usage };
  }
}
