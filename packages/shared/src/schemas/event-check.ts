import { type SessionEvent, SessionEventSchema } from './events.js';

/**
 * A zod-free check of the five events every plain turn appends (UserMessageAdded, OperationStarted,
 * AssistantMessageAdded with text content, LlmUsageUpdated, OperationCompleted). It accepts an event only
 * when `SessionEventSchema.parse` would accept it *and* return an equal value: every key is known, no key
 * holds `undefined`, no default would be filled in, every value has exactly the type the schema wants.
 * Anything else — other event types, images, tool calls, unusual keys — answers `false`, so callers fall
 * back to zod and get its exact result (and its error). It allocates nothing.
 *
 * Why: the event store validates every appended event; with zod that is ~1 µs and ~0.5 KB of garbage per
 * event on the main thread, for events the reducer built from already-validated input (issue 5).
 */
export function isWellFormedTurnEvent(event: unknown): boolean {
  if (!isRecord(event)) return false;
  switch (event.type) {
    case 'OperationCompleted':
      return onlyKeys(event, 2, 'type', 'opId') && typeof event.opId === 'string';
    case 'OperationStarted':
      return (
        onlyKeys(event, 3, 'type', 'opId', 'kind') &&
        typeof event.opId === 'string' &&
        isRecord(event.kind) &&
        event.kind.type === 'AgentLoop' &&
        onlyKeys(event.kind, 1, 'type')
      );
    case 'UserMessageAdded':
      return onlyKeys(event, 2, 'type', 'message') && isTextMessage(event.message, 'user');
    case 'AssistantMessageAdded':
      return (
        onlyKeys(event, 3, 'type', 'message', 'model') &&
        isTextMessage(event.message, 'assistant') &&
        isModelId(event.model)
      );
    case 'LlmUsageUpdated': {
      const n = event.contextWindow === undefined ? 4 : 5;
      if (n === 5 && !isContextWindow(event.contextWindow)) return false;
      return (
        onlyKeys(event, n, 'type', 'opId', 'model', 'usage', 'contextWindow') &&
        typeof event.opId === 'string' &&
        isModelId(event.model) &&
        isRecord(event.usage) &&
        onlyKeys(event.usage, 3, 'inputTokens', 'outputTokens', 'totalTokens') &&
        isU32(event.usage.inputTokens) &&
        isU32(event.usage.outputTokens) &&
        isU32(event.usage.totalTokens)
      );
    }
    default:
      return false;
  }
}

/**
 * The event store's validator with the fast path: a well-formed turn event is returned as it is (zod would
 * return an equal copy); everything else goes through `SessionEventSchema.parse` (copy, defaults, errors).
 */
export function validateSessionEvent(event: unknown): SessionEvent {
  return isWellFormedTurnEvent(event) ? (event as SessionEvent) : SessionEventSchema.parse(event);
}

type Rec = Record<string, unknown>;

function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `o` has exactly `count` enumerable keys, each one of `k1`…`k5` and none holding `undefined` (zod keeps a
 * key that holds `undefined` only in some cases; leave those to zod). The allowed keys may be more than `count`
 * (optional ones). Fixed parameters, not a rest array: this runs several times per event and allocates nothing.
 */
function onlyKeys(
  o: Rec,
  count: number,
  k1: string,
  k2?: string,
  k3?: string,
  k4?: string,
  k5?: string,
): boolean {
  let n = 0;
  for (const k in o) {
    if (k !== k1 && k !== k2 && k !== k3 && k !== k4 && k !== k5) return false;
    if (o[k] === undefined) return false;
    n++;
  }
  return n === count;
}

const isU32 = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;

function isModelId(v: unknown): boolean {
  return (
    isRecord(v) &&
    onlyKeys(v, 2, 'provider', 'id') &&
    typeof v.provider === 'string' &&
    v.provider.length > 0 &&
    typeof v.id === 'string' &&
    v.id.length > 0
  );
}

/** A user or assistant message whose content is text items only. */
function isTextMessage(v: unknown, role: 'user' | 'assistant'): boolean {
  if (
    !isRecord(v) ||
    v.role !== role ||
    !onlyKeys(v, 5, 'role', 'id', 'parentMessageId', 'timestamp', 'content') ||
    typeof v.id !== 'string' ||
    v.id.length === 0 ||
    !(v.parentMessageId === null || typeof v.parentMessageId === 'string') ||
    !isU32(v.timestamp) ||
    !Array.isArray(v.content)
  ) {
    return false;
  }
  for (const c of v.content as unknown[]) {
    if (!isRecord(c) || c.type !== 'text' || typeof c.text !== 'string' || !onlyKeys(c, 2, 'type', 'text')) {
      return false;
    }
  }
  return true;
}

function isContextWindow(v: unknown): boolean {
  if (!isRecord(v) || typeof v.estimated !== 'boolean') return false;
  let n = 1;
  if (v.maxContextTokens !== undefined) {
    if (!isU32(v.maxContextTokens)) return false;
    n++;
  }
  if (v.remainingTokens !== undefined) {
    if (!isU32(v.remainingTokens)) return false;
    n++;
  }
  if (v.utilizationRatio !== undefined) {
    if (!Number.isFinite(v.utilizationRatio)) return false;
    n++;
  }
  return onlyKeys(v, n, 'estimated', 'maxContextTokens', 'remainingTokens', 'utilizationRatio');
}
