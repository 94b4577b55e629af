import { type AssistantContent, copyJsonValue, JSON_VALUE_LIMITS, type ToolOutcome } from '@shoal/shared';
import { payloadBytes } from './payload-size.js';

/** The caps a shard holds model replies and tool results to (`RuntimeOptions.limits`). */
export interface PayloadLimits {
  /** a model reply (an assistant message, a title, a compaction summary), in bytes */
  maxMessageBytes: number;
  /** one tool result, in bytes */
  maxToolOutputBytes: number;
}

export const DEFAULT_PAYLOAD_LIMITS: PayloadLimits = {
  maxMessageBytes: 1024 * 1024,
  maxToolOutputBytes: 1024 * 1024,
};

/**
 * Why a model reply may not become an action, or `undefined`: every tool call's parameters must be a
 * bounded JSON value (a reply nested thousands deep cannot even be read by the main thread) and the
 * whole reply must fit in `maxMessageBytes`.
 */
export function modelReplyProblem(
  content: readonly AssistantContent[],
  maxBytes: number,
): string | undefined {
  let bytes = 0;
  for (const c of content) {
    if (c.type === 'tool_call') {
      const r = copyJsonValue(c.toolCall.parameters, JSON_VALUE_LIMITS);
      if (!r.ok) {
        const at = r.problem.path.length > 0 ? ` at ${r.problem.path.join('.')}` : '';
        return `the reply's ${c.toolCall.name} tool call has parameters that are not a bounded JSON value${at}: ${r.problem.message}`;
      }
    }
    bytes = payloadBytes(c, maxBytes - bytes) + bytes;
    if (bytes > maxBytes) return `the reply is larger than maxMessageBytes (${maxBytes} bytes)`;
  }
  return undefined;
}

/** A model's text (title, summary) over the message cap, or `undefined`. */
export function textProblem(text: string, maxBytes: number): string | undefined {
  return payloadBytes(text, maxBytes) > maxBytes
    ? `the reply is larger than maxMessageBytes (${maxBytes} bytes)`
    : undefined;
}

/** A tool result over `maxToolOutputBytes` becomes an execution error naming the limit (nothing is stored). */
export function boundedToolOutcome(result: ToolOutcome, toolName: string, maxBytes: number): ToolOutcome {
  if (payloadBytes(result, maxBytes) <= maxBytes) return result;
  return {
    ok: false,
    error: {
      type: 'Execution',
      toolName,
      message: `its output is larger than maxToolOutputBytes (${maxBytes} bytes)`,
    },
  };
}
