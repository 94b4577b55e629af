import {
  type AssistantContent,
  dropEarlierToolResults,
  isContextWindowExceededError,
  type Message,
  type ModelId,
  type SystemContext,
} from '@shoal/shared';
import { textProblem } from '../limits/payload-limits.js';
import { ModelCallError } from '../providers/model-call-error.js';
import type { ModelProvider } from '../providers/model-provider.js';
import { errorText } from './error-text.js';

export interface SummaryRequest {
  readonly model: ModelId;
  /** the conversation to summarise (the active thread) */
  readonly messages: Message[];
  /** the compaction prompt, sent after the conversation */
  readonly prompt: Message;
  readonly systemContext: SystemContext | undefined;
  readonly signal: AbortSignal;
  /** a summary over this many bytes fails like a malformed reply */
  readonly maxBytes: number;
}

/**
 * spec §5.5: asks the model for a summary of the conversation; while the context window overflows, drops
 * earlier tool results and asks again. `progress.dropped` counts what was dropped, for the failure message.
 */
export async function requestSummary(
  provider: ModelProvider,
  req: SummaryRequest,
  progress: { dropped: number },
): Promise<string> {
  let messages = req.messages;
  for (;;) {
    try {
      const response = await provider.complete({
        model: req.model,
        messages: [...messages, req.prompt],
        systemContext: req.systemContext,
        tools: [],
        signal: req.signal,
        purpose: 'compaction',
      });
      const summary = response.content
        .filter((c): c is Extract<AssistantContent, { type: 'text' }> => c.type === 'text')
        .map((c) => c.text)
        .join('\n');
      const problem = textProblem(summary, req.maxBytes);
      if (problem !== undefined) throw ModelCallError.streamFailed(problem, 'response_parsing_error');
      return summary;
    } catch (err) {
      if (req.signal.aborted || !isContextWindowExceededError(errorText(err))) throw err;
      const pruned = dropEarlierToolResults(messages);
      if (pruned.dropped === 0) throw err;
      progress.dropped += pruned.dropped;
      messages = pruned.messages;
    }
  }
}
