import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AssistantContent,
  charCount,
  messageCharCount,
  renderSystemContext,
  type SystemContext,
  type ToolCall,
  titlePrompt,
} from '@shoal/shared';
import { userText } from './message-text.js';
import { isModelCallErrorKind, ModelCallError, type ModelCallErrorKind } from './model-call-error.js';
import type {
  ModelInfo,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  ProviderDelta,
} from './model-provider.js';

/** api.md "The simulated model": timing and window. Plain data (it crosses worker-thread boundaries). */
export interface SimulatedModelOptions {
  /** Delay before the first streamed chunk; absent or 0 = none. */
  firstTokenMs?: number;
  /** Streaming rate in tokens (chunks) per second; absent, 0 or Infinity = all at once. */
  tokensPerSecond?: number;
  /** Reported context window; default 200000. */
  contextWindowTokens?: number;
  /** Reported configured max output tokens; default absent. */
  maxOutputTokens?: number;
}

export const SIMULATED_PROVIDER_ID = 'simulated';
export const DEFAULT_SIMULATED_CONTEXT_WINDOW_TOKENS = 200_000;
/** One token of the simulated model is 4 characters: usage is ceil(chars / 4), and text streams in 4-character chunks. */
export const SIMULATED_CHARS_PER_TOKEN = 4;
/** `/tokens n` appends n copies of this 4-character filler, i.e. exactly n more output tokens. */
export const FILLER_TOKEN = ' tok';
/**
 * The most filler tokens one reply may ask for with `/tokens` (512 KiB of text, under the runtime's default
 * maxMessageBytes): more fails the call as an invalid request, as a provider refuses an excessive
 * max_tokens, so no script can make the model allocate an unbounded message.
 */
export const SIMULATED_MAX_FILLER_TOKENS = 131_072;
/** How many words of the user prompt a title reply takes (api.md). */
export const TITLE_WORDS = 6;
/** Fallback for a title request not built by `titlePrompt`: the prompt follows the first blank line. */
export const TITLE_PROMPT_SEPARATOR = '\n\n';

type Step =
  | { type: 'echo'; line: string }
  | { type: 'tool'; call: ToolCall }
  | { type: 'error'; error: ModelCallError }
  | { type: 'sleep'; ms: number }
  | { type: 'tokens'; n: number };

interface Reply {
  text: string;
  toolCalls: ToolCall[];
}

/** `/error <kind> <message>` → RequestStartFailed. Kinds outside §1.10 are kept visible in the message. */
function scriptedError(kind: string, message: string): ModelCallError {
  const text = message.length > 0 ? message : `simulated ${kind}`;
  if (isModelCallErrorKind(kind)) return ModelCallError.requestStartFailed(kind, text);
  // e.g. `context_length_exceeded`: providers report it as a 400 invalid request; the kind word stays in the
  // display text so isContextWindowExceededError (§3.2.14) recognises it.
  const mapped: ModelCallErrorKind = kind === 'context_length_exceeded' ? 'invalid_request' : 'unknown';
  return ModelCallError.requestStartFailed(mapped, `${kind}: ${text}`);
}

const splitFirstWord = (s: string): [string, string] => {
  const m = /^(\S*)\s*([\s\S]*)$/.exec(s);
  return m ? [m[1] ?? '', (m[2] ?? '').trim()] : ['', ''];
};

/** Parses the last user message, line by line (api.md). Unrecognised lines (also `/other`) are echoed. */
export function parseScript(text: string, newToolCallId: () => string): Step[] {
  const steps: Step[] = [];
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trimStart();
    const [cmd, rest] = splitFirstWord(trimmed);
    if (cmd === '/tool' && rest.length > 0) {
      const [name, json] = splitFirstWord(rest);
      if (json.length === 0) {
        steps.push({ type: 'tool', call: { id: newToolCallId(), name, parameters: {} } });
        continue;
      }
      try {
        steps.push({ type: 'tool', call: { id: newToolCallId(), name, parameters: JSON.parse(json) } });
      } catch (e) {
        // Invalid JSON cannot become a tool call: the request fails like a provider rejecting it.
        const why = e instanceof Error ? e.message : String(e);
        steps.push({
          type: 'error',
          error: ModelCallError.requestStartFailed(
            'invalid_request',
            `invalid JSON for /tool ${name}: ${why}`,
          ),
        });
      }
    } else if (cmd === '/error' && rest.length > 0) {
      const [kind, message] = splitFirstWord(rest);
      steps.push({ type: 'error', error: scriptedError(kind, message) });
    } else if (cmd === '/sleep' && /^\d+$/.test(rest)) {
      steps.push({ type: 'sleep', ms: Number(rest) });
    } else if (cmd === '/tokens' && /^\d+$/.test(rest)) {
      steps.push({ type: 'tokens', n: Number(rest) });
    } else {
      steps.push({ type: 'echo', line });
    }
  }
  return steps;
}

/** The fixed text that `titlePrompt` puts before the user's prompt. */
const TITLE_PREFIX = titlePrompt('');

/**
 * The user's prompt inside a title request: what follows `titlePrompt`'s fixed prefix, or (for a request
 * built some other way) everything after the first blank line.
 */
export function extractTitleUserPrompt(text: string): string {
  if (text.startsWith(TITLE_PREFIX)) return text.slice(TITLE_PREFIX.length);
  const i = text.indexOf(TITLE_PROMPT_SEPARATOR);
  return i < 0 ? text : text.slice(i + TITLE_PROMPT_SEPARATOR.length);
}

export const firstWords = (text: string, n: number): string =>
  text
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .slice(0, n)
    .join(' ');

/**
 * Request characters (Unicode scalar values): the rendered system text plus each message's characters as
 * the reducer's token estimate counts them (§3.2.13 `messageCharCount`: tool results by their §1.6 LLM
 * text). Tool schemas are not counted.
 */
export function requestChars(req: Pick<ModelRequest, 'messages' | 'systemContext'>): number {
  let n = systemContextChars(req.systemContext);
  for (const m of req.messages) n += messageCharCount(m);
  return n;
}

/**
 * Characters of the rendered system context, cached per context object (a session reuses one for every
 * call). Only the count is kept: `renderSystemContext`'s text cache is bounded (256) and a shard with more
 * sessions in flight than that would render the text again on every turn.
 */
function systemContextChars(ctx: SystemContext | undefined): number {
  if (ctx === undefined) return 0;
  let n = systemContextCharCache.get(ctx);
  if (n === undefined) {
    n = charCount(renderSystemContext(ctx) ?? '');
    systemContextCharCache.set(ctx, n);
  }
  return n;
}

const systemContextCharCache = new WeakMap<SystemContext, number>();

/** Reply characters: text plus, per tool call, its name and JSON-serialised parameters. */
const replyChars = (r: Reply): number =>
  r.toolCalls.reduce(
    (n, c) => n + charCount(c.name) + charCount(JSON.stringify(c.parameters)),
    charCount(r.text),
  );

/** Streamed fragments in order: 4-character text chunks, then each tool call's whole JSON arguments. */
function replyDeltas(r: Reply): ProviderDelta[] {
  const out: ProviderDelta[] = [];
  for (let i = 0; i < r.text.length; i += SIMULATED_CHARS_PER_TOKEN) {
    out.push({ type: 'text', delta: r.text.slice(i, i + SIMULATED_CHARS_PER_TOKEN) });
  }
  for (const c of r.toolCalls) {
    out.push({ type: 'tool_call_args', toolCallId: c.id, delta: JSON.stringify(c.parameters) });
  }
  return out;
}

/** The reply a parsed script makes (its sleeps already slept); throws the first error step. */
function scriptReply(steps: readonly Step[]): Reply {
  const echoed: string[] = [];
  const toolCalls: ToolCall[] = [];
  let fillers = 0;
  for (const step of steps) {
    switch (step.type) {
      case 'echo':
        echoed.push(step.line);
        break;
      case 'tool':
        toolCalls.push(step.call);
        break;
      case 'tokens':
        fillers += step.n;
        break;
      case 'sleep':
        break;
      case 'error':
        throw step.error;
    }
  }
  if (fillers > SIMULATED_MAX_FILLER_TOKENS) {
    throw ModelCallError.requestStartFailed(
      'invalid_request',
      `/tokens asks for ${fillers} tokens; the simulated model writes at most ${SIMULATED_MAX_FILLER_TOKENS}`,
    );
  }
  // A pure tool-call script has no text; otherwise the echo (possibly `echo: ` alone) leads the reply.
  const echo = echoed.length > 0 || toolCalls.length === 0 ? `echo: ${echoed.join('\n')}` : '';
  return { text: echo + FILLER_TOKEN.repeat(fillers), toolCalls };
}

/** `replyDeltas(r).forEach(onDelta)` without the array (the unpaced stream). */
function emitDeltas(r: Reply, onDelta: (d: ProviderDelta) => void): void {
  for (let i = 0; i < r.text.length; i += SIMULATED_CHARS_PER_TOKEN) {
    onDelta({ type: 'text', delta: r.text.slice(i, i + SIMULATED_CHARS_PER_TOKEN) });
  }
  for (const c of r.toolCalls) {
    onDelta({ type: 'tool_call_args', toolCallId: c.id, delta: JSON.stringify(c.parameters) });
  }
}

/**
 * The deterministic model of api.md. With default options it never touches a timer: a scripted-free turn
 * resolves after microtasks only (the load test pushes ~10k turns/s through it).
 */
export class SimulatedProvider implements ModelProvider {
  readonly id = SIMULATED_PROVIDER_ID;
  private readonly firstTokenMs: number;
  private readonly msPerToken: number;
  private readonly info: ModelInfo;

  constructor(
    options: SimulatedModelOptions = {},
    private readonly newToolCallId: () => string = () => `tool_${randomUUID()}`,
  ) {
    this.firstTokenMs = Math.max(0, options.firstTokenMs ?? 0);
    const tps = options.tokensPerSecond ?? 0;
    this.msPerToken = tps > 0 && Number.isFinite(tps) ? 1000 / tps : 0;
    this.info = {
      contextWindowTokens: options.contextWindowTokens ?? DEFAULT_SIMULATED_CONTEXT_WINDOW_TOKENS,
      ...(options.maxOutputTokens !== undefined ? { maxOutputTokens: options.maxOutputTokens } : {}),
    };
  }

  modelInfo(_modelId: string): ModelInfo {
    return { ...this.info };
  }

  async complete(req: ModelRequest, onDelta?: (d: ProviderDelta) => void): Promise<ModelResponse> {
    // reply and stream are synchronous unless a script sleeps or the options pace the stream: the instant
    // model then costs one promise per call. The signal is read only where the call waits (an abort then
    // rejects at once, `pause`): an instant reply is made before any abort could be seen, and a signal never
    // read is never made (a turn's request hands it over on demand).
    const planned = this.reply(req);
    const reply = planned instanceof Promise ? await planned : planned;
    if (this.firstTokenMs > 0 || this.msPerToken > 0)
      await this.stream(replyDeltas(reply), req.signal, onDelta);
    else if (onDelta) emitDeltas(reply, onDelta);
    const content: AssistantContent[] = [];
    if (reply.text.length > 0) content.push({ type: 'text', text: reply.text });
    for (const toolCall of reply.toolCalls) content.push({ type: 'tool_call', toolCall });
    const inputTokens = Math.ceil(requestChars(req) / SIMULATED_CHARS_PER_TOKEN);
    const outputTokens = Math.ceil(replyChars(reply) / SIMULATED_CHARS_PER_TOKEN);
    return { content, usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens } };
  }

  /** The reply; a promise only when the script sleeps. */
  private reply(req: ModelRequest): Reply | Promise<Reply> {
    const { messages } = req;
    const last = messages.at(-1);
    if (req.purpose === 'title') {
      const prompt = last?.role === 'user' ? extractTitleUserPrompt(userText(last.content)) : '';
      return { text: firstWords(prompt, TITLE_WORDS), toolCalls: [] };
    }
    if (req.purpose === 'compaction') {
      // The last message is the compaction prompt (§5.5); n counts the messages before it.
      return { text: `summary of ${Math.max(0, messages.length - 1)} messages`, toolCalls: [] };
    }
    if (last?.role === 'tool') {
      let n = 0;
      for (let i = messages.length - 1; i >= 0 && messages[i]?.role === 'tool'; i--) n++;
      return { text: `done: ${n} tool results`, toolCalls: [] };
    }
    let lastUser: string | undefined;
    for (let i = messages.length - 1; i >= 0 && lastUser === undefined; i--) {
      const m = messages[i];
      if (m?.role === 'user') lastUser = userText(m.content);
    }
    const text = lastUser ?? '';
    // Without a '/' no line is a command: every line is echoed (what parseScript and scriptReply would make).
    if (!text.includes('/')) {
      const lines = text.includes('\n') || text.includes('\r') ? text.split(/\r?\n/).join('\n') : text;
      return { text: `echo: ${lines}`, toolCalls: [] };
    }
    const steps = parseScript(text, this.newToolCallId);
    for (const step of steps) {
      if (step.type === 'error') break; // thrown by scriptReply before any later sleep
      if (step.type === 'sleep' && step.ms > 0) return this.scriptReplyAfterSleeps(steps, req.signal);
    }
    return scriptReply(steps);
  }

  /** `scriptReply`, sleeping where the script says so (a step's error is thrown in its place). */
  private async scriptReplyAfterSleeps(steps: Step[], signal: AbortSignal): Promise<Reply> {
    for (const step of steps) {
      if (step.type === 'error') throw step.error;
      if (step.type === 'sleep' && step.ms > 0) await pause(step.ms, signal);
    }
    return scriptReply(steps);
  }

  private async stream(
    deltas: ProviderDelta[],
    signal: AbortSignal,
    onDelta: ((d: ProviderDelta) => void) | undefined,
  ): Promise<void> {
    if (this.firstTokenMs > 0) await pause(this.firstTokenMs, signal);
    if (this.msPerToken === 0) {
      if (onDelta) for (const d of deltas) onDelta(d);
      return;
    }
    // Paced: token k is due k * msPerToken after the first; each wake-up emits every chunk already due, so
    // a high rate costs one timer per wake-up, not one per token.
    const start = performance.now();
    let i = 0;
    while (i < deltas.length) {
      const elapsed = performance.now() - start;
      const due = Math.min(deltas.length, Math.floor(elapsed / this.msPerToken) + 1);
      for (; i < due; i++) onDelta?.(deltas[i]!);
      if (i < deltas.length) {
        await pause(Math.max(1, i * this.msPerToken - (performance.now() - start)), signal);
      }
    }
  }
}

/** Waits `ms`; a cancelled request rejects at once with ModelCallError(cancelled) (spec §5.0). */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (err) {
    throw signal.aborted ? ModelCallError.cancelled() : err;
  }
}
