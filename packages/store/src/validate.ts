import { type SessionEvent, SessionEventSchema } from '@shoal/shared';
import { invalidArgument, StoreError } from './errors.js';
import { encodeEvents } from './event-codec.js';
import type { AppendOptions } from './event-store.js';
import { checkSeq, checkSessionId } from './keys.js';

/** Checks one event and returns the value to store (for zod: the parsed copy, unknown keys stripped). */
export type EventValidator = (event: unknown) => SessionEvent;

export const defaultEventValidator: EventValidator = (event) => SessionEventSchema.parse(event);

/**
 * Validates a whole batch before anything is written (issue 3: bad input never corrupts the log). One bad event
 * rejects the whole append with INVALID_EVENT, naming its index.
 */
export function validateBatch(sessionId: string, events: unknown, validate: EventValidator): SessionEvent[] {
  if (!Array.isArray(events)) throw invalidArgument('events must be an array', sessionId);
  const out: SessionEvent[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    try {
      out[i] = validate(events[i]);
    } catch (err) {
      const issues = (err as { issues?: unknown } | null)?.issues;
      const detail = err instanceof Error ? err.message : String(err);
      throw new StoreError(
        'INVALID_EVENT',
        `session ${sessionId}: event ${i} is not a valid SessionEvent: ${detail}`,
        {
          sessionId,
          eventIndex: i,
          issues,
          cause: err,
        },
      );
    }
  }
  return out;
}

/** An append's arguments after the checks both stores make before touching any state. */
export interface PreparedAppend {
  valid: SessionEvent[];
  /** Each event encoded once (issue 3: a value JSON cannot hold rejects this append only). */
  values: Buffer[];
  expected: number | undefined;
}

/** The events a session is created with: checked and encoded like an append's; none when `undefined`. */
export function prepareInitialEvents(
  sessionId: string,
  events: unknown,
  validate: EventValidator,
): Pick<PreparedAppend, 'valid' | 'values'> {
  if (events === undefined) return { valid: [], values: [] };
  const valid = validateBatch(sessionId, events, validate);
  return { valid, values: encodeEvents(sessionId, valid) };
}

/** The id, `expectedNextSeq`, every event's schema and its encoding, checked alike by both stores. */
export function prepareAppend(
  sessionId: string,
  events: unknown,
  opts: AppendOptions | undefined,
  validate: EventValidator,
): PreparedAppend {
  checkSessionId(sessionId);
  const expected = opts?.expectedNextSeq;
  if (expected !== undefined) checkSeq('expectedNextSeq', expected, 0);
  const valid = validateBatch(sessionId, events, validate);
  return { valid, values: encodeEvents(sessionId, valid), expected };
}
