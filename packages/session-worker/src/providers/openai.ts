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

interface PendingCall {
  id: string;
  name: string;
  args: string;
}

/** Some OpenAI-compatible servers stream reasoning text in a non-standard delta field. */
type ReasoningDelta = ChatCompletionChunk.Choice.Delta & {
  reasoning_content?: string | null;
  reasoning?: string | null;
};

/**
 * OpenAI Chat Completions, streamed with `include_usage`. Content and reasoning deltas are forwarded; tool-call
 * argument fragments are forwarded under the call's id (learned from its first fragment). The response is
 * complete once a choice reported a `finish_reason`; a stream without one fails with MissingCompletion.
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
    let started = false;
    try {
      const stream = await this.client.chat.completions.create(
        {
          model: req.model.id,
          messages: toOpenAIMessages(req.messages, renderSystemContext(req.systemContext)),
          ...(req.tools.length > 0 ? { tools: toOpenAITools(req.tools) } : {}),
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal: req.signal },
      );
      started = true;
      let text = '';
      let reasoning = '';
      const calls = new Map<number, PendingCall>();
      let finished = false;
      let usage: ModelResponse['usage'];
      for await (const chunk of stream) {
        if (chunk.usage) {
          const input = u32(chunk.usage.prompt_tokens);
          const output = u32(chunk.usage.completion_tokens);
          usage = { inputTokens: input, outputTokens: output, totalTokens: u32(chunk.usage.total_tokens) };
        }
        const choice = chunk.choices[0];
        if (!choice) continue;
        const delta = choice.delta as ReasoningDelta | undefined;
        const thinking = delta?.reasoning_content ?? delta?.reasoning;
        if (thinking) {
          reasoning += thinking;
          onDelta?.({ type: 'thinking', delta: thinking });
        }
        if (delta?.content) {
          text += delta.content;
          onDelta?.({ type: 'text', delta: delta.content });
        }
        for (const tc of delta?.tool_calls ?? []) {
          let call = calls.get(tc.index);
          if (!call) {
            call = { id: tc.id ?? `call_${tc.index}`, name: '', args: '' };
            calls.set(tc.index, call);
          }
          if (tc.function?.name) call.name += tc.function.name;
          const args = tc.function?.arguments;
          if (args) {
            call.args += args;
            onDelta?.({ type: 'tool_call_args', toolCallId: call.id, delta: args });
          }
        }
        if (choice.finish_reason) finished = true;
      }
      if (req.signal.aborted) throw ModelCallError.cancelled(); // the SDK ends an aborted stream silently
      if (!finished) throw ModelCallError.missingCompletion();
      const content: AssistantContent[] = [];
      if (reasoning.length > 0)
        content.push({ type: 'thought', thought: { type: 'simple', text: reasoning } });
      if (text.length > 0) content.push({ type: 'text', text });
      for (const [, c] of [...calls.entries()].sort((a, b) => a[0] - b[0])) {
        content.push({ type: 'tool_call', toolCall: { id: c.id, name: c.name, parameters: parseArgs(c) } });
      }
      return usage ? { content, usage } : { content };
    } catch (err) {
      throw openaiError(err, req.signal, started);
    }
  }
}

function parseArgs(c: PendingCall): unknown {
  if (c.args.trim().length === 0) return {};
  try {
    return JSON.parse(c.args);
  } catch (e) {
    throw ModelCallError.streamFailed(
      `invalid JSON arguments for tool call ${c.name} (${c.id}): ${(e as Error).message}`,
      'response_parsing_error',
      e,
    );
  }
}
