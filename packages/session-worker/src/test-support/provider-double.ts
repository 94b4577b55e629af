import type { AssistantContent, Message, TokenUsage } from '@shoal/shared';
import { ModelCallError } from '../providers/model-call-error.js';
import type {
  ModelInfo,
  ModelProvider,
  ModelPurpose,
  ModelRequest,
  ModelResponse,
  ProviderDelta,
} from '../providers/model-provider.js';
import { TEST_DEADLINE_MS, waitUntil } from './async.js';

/** One call a `ProviderDouble` received. */
export interface ProviderCall {
  readonly index: number;
  readonly purpose: ModelPurpose;
  readonly req: ModelRequest;
  readonly onDelta: ((d: ProviderDelta) => void) | undefined;
  /** set once the handler's promise settled */
  outcome?: 'resolved' | 'rejected';
}

export type ProviderHandler = (call: ProviderCall) => ModelResponse | Promise<ModelResponse>;

/** Default behaviour: a turn answers "reply", a title request "A title", a compaction "summary". */
export const defaultHandler: ProviderHandler = (call) => {
  switch (call.purpose) {
    case 'title':
      return textResponse('A title');
    case 'compaction':
      return textResponse('summary');
    default:
      return textResponse('reply');
  }
};

/**
 * A scriptable `ModelProvider` for tests. Every call is recorded (request, purpose, signal); `handler`
 * decides the answer and may be swapped at any time.
 */
export class ProviderDouble implements ModelProvider {
  readonly calls: ProviderCall[] = [];
  handler: ProviderHandler;

  constructor(
    readonly id = 'double',
    private readonly info: ModelInfo = { contextWindowTokens: 64_000, maxOutputTokens: 4_000 },
    handler: ProviderHandler = defaultHandler,
  ) {
    this.handler = handler;
  }

  modelInfo(_modelId: string): ModelInfo {
    return { ...this.info };
  }

  async complete(req: ModelRequest, onDelta?: (d: ProviderDelta) => void): Promise<ModelResponse> {
    const call: ProviderCall = { index: this.calls.length, purpose: req.purpose, req, onDelta };
    this.calls.push(call);
    try {
      const response = await this.handler(call);
      call.outcome = 'resolved';
      return response;
    } catch (err) {
      call.outcome = 'rejected';
      throw err;
    }
  }

  callsFor(purpose: ModelPurpose): ProviderCall[] {
    return this.calls.filter((c) => c.purpose === purpose);
  }

  /** Resolves with the n-th (0-based) call of that purpose once it has arrived. */
  async nthCall(purpose: ModelPurpose, n = 0, timeoutMs = TEST_DEADLINE_MS): Promise<ProviderCall> {
    await waitUntil(() => this.callsFor(purpose).length > n, `${purpose} call #${n} arrives`, timeoutMs);
    return this.callsFor(purpose)[n]!;
  }
}

export function textResponse(text: string, usage?: TokenUsage): ModelResponse {
  const content: AssistantContent[] = [{ type: 'text', text }];
  return usage ? { content, usage } : { content };
}

export function toolCallResponse(
  calls: { id: string; name: string; parameters: unknown }[],
  text?: string,
): ModelResponse {
  const content: AssistantContent[] = text ? [{ type: 'text', text }] : [];
  for (const c of calls) content.push({ type: 'tool_call', toolCall: c });
  return { content };
}

/** A provider-like wait: never settles on its own, rejects with ModelCallError(cancelled) on abort. */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    const fail = () => reject(ModelCallError.cancelled());
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

/** The context-overflow error a hosted provider reports (its text satisfies spec §3.2.14). */
export function contextOverflow(detail: string): ModelCallError {
  return ModelCallError.requestStartFailed('invalid_request', `context_length_exceeded: ${detail}`);
}

export const toolMessages = (messages: readonly Message[]): number =>
  messages.filter((m) => m.role === 'tool').length;
