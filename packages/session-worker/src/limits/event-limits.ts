import { type Action, type AppState, RuntimeError, type SessionEvent, type UserContent } from '@shoal/shared';
import { payloadBytes } from './payload-size.js';

/** A zod-like issue naming the limit a value exceeded (`details` of an INVALID_INPUT/Validation error). */
export interface LimitIssue {
  code: 'too_big';
  origin: string;
  limit: string;
  maximum: number;
  path: (string | number)[];
  message: string;
}

/**
 * The first event over `maxBytes` as an error, or `undefined`. Appending it would store (and copy between
 * threads, and replay for ever) a value no limit agreed to; the action that made it fails instead.
 */
export function oversizedEvent(events: readonly SessionEvent[], maxBytes: number): RuntimeError | undefined {
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    if (payloadBytes(event, maxBytes) <= maxBytes) continue;
    const issue: LimitIssue = {
      code: 'too_big',
      origin: 'event',
      limit: 'maxEventBytes',
      maximum: maxBytes,
      path: ['events', i],
      message: `the ${event.type} event is larger than maxEventBytes (${maxBytes} bytes)`,
    };
    return new RuntimeError('INVALID_INPUT', issue.message, 'Validation', [issue]);
  }
  return undefined;
}

/** How a session's queue is bounded (`RuntimeOptions.limits`). */
export interface QueueLimits {
  /** queued items (consecutive user messages merge into one item, spec §2.7) */
  maxQueuedInputs: number;
  /** total size of the queued content: what is drained must fit in one event */
  maxQueuedBytes: number;
}

/**
 * OVERLOADED (kind `QueueFull`) when `action` would be queued (spec §3.3.1, §3.3.12: the session is busy)
 * but the queue is full; `undefined` otherwise. OVERLOADED, not INVALID_INPUT: the same input is accepted
 * once the running turn has taken its queued work.
 */
export function queueRefusal(state: AppState, action: Action, limits: QueueLimits): RuntimeError | undefined {
  if (state.currentOperation === undefined) return undefined;
  let adding: number;
  if (action.type === 'UserInput') adding = contentBytes(action.content);
  else if (action.type === 'DirectBashCommand') adding = payloadBytes(action.command);
  else return undefined;
  const queue = state.queuedWork;
  const tail = queue[queue.length - 1];
  const merges = action.type === 'UserInput' && tail?.kind === 'UserMessage';
  if (!merges && queue.length >= limits.maxQueuedInputs) {
    return full(`the session's queue holds ${queue.length} items (maxQueuedInputs)`);
  }
  let queued = 0;
  for (const item of queue) {
    queued += item.kind === 'UserMessage' ? contentBytes(item.content) : payloadBytes(item.command);
  }
  if (queued + adding > limits.maxQueuedBytes) {
    return full(`the session's queue would exceed maxQueuedBytes (${limits.maxQueuedBytes} bytes)`);
  }
  return undefined;
}

function full(why: string): RuntimeError {
  return new RuntimeError(
    'OVERLOADED',
    `${why}; retry once the running operation has started its queued work`,
    'QueueFull',
  );
}

function contentBytes(content: readonly UserContent[]): number {
  return payloadBytes(content);
}
