import { type SessionEvent, SessionEventSchema } from '@shoal/shared';
import { invalidArgument, StoreError } from './errors.js';
import { encodeEvents } from './event-codec.js';
import type { AppendOptions } from './event-store.js';
import { checkMetadata, checkSeq, checkSessionId } from './keys.js';

/** Checks one event and returns the value to store (for zod: the parsed copy, unknown keys stripped). */
export type EventValidator = (event: unknown) => SessionEvent;

export const defaultEventValidator: EventValidator = (event) => SessionEventSchema.parse(event);

/**
 * Validates a whole batch before anything is written, so bad input never corrupts the log. One bad event
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

/** Encodes checked events into what a store writes (LevelDB and memory: bytes; PostgreSQL: JSON text). */
export type EventEncoder<V> = (sessionId: string, events: readonly SessionEvent[]) => V[];

/** An append's arguments after the checks every store makes before touching any state. */
export interface PreparedAppend<V = Buffer> {
  valid: SessionEvent[];
  /** Each event encoded once: a value JSON cannot hold rejects this append only. */
  values: V[];
  expected: number | undefined;
}

/** `createSession`'s arguments after the checks every store makes before touching any state. */
export interface PreparedCreate<V = Buffer> {
  metadata: Record<string, string>;
  /** The initial events, checked and encoded like an append's; none when not given. */
  valid: SessionEvent[];
  values: V[];
}

/** The id, the metadata and the initial events of `createSession`, checked alike by every store. */
export function prepareCreate(
  sessionId: string,
  meta: unknown,
  events: unknown,
  validate: EventValidator,
): PreparedCreate;
export function prepareCreate<V>(
  sessionId: string,
  meta: unknown,
  events: unknown,
  validate: EventValidator,
  encode: EventEncoder<V>,
): PreparedCreate<V>;
export function prepareCreate<V>(
  sessionId: string,
  meta: unknown,
  events: unknown,
  validate: EventValidator,
  encode: EventEncoder<V | Buffer> = encodeEvents,
): PreparedCreate<V | Buffer> {
  checkSessionId(sessionId);
  const metadata = checkMetadata(meta, sessionId);
  if (events === undefined) return { metadata, valid: [], values: [] };
  const valid = validateBatch(sessionId, events, validate);
  return { metadata, valid, values: encode(sessionId, valid) };
}

/** The id, `expectedNextSeq`, every event's schema and its encoding, checked alike by every store. */
export function prepareAppend(
  sessionId: string,
  events: unknown,
  opts: AppendOptions | undefined,
  validate: EventValidator,
): PreparedAppend;
export function prepareAppend<V>(
  sessionId: string,
  events: unknown,
  opts: AppendOptions | undefined,
  validate: EventValidator,
  encode: EventEncoder<V>,
): PreparedAppend<V>;
export function prepareAppend<V>(
  sessionId: string,
  events: unknown,
  opts: AppendOptions | undefined,
  validate: EventValidator,
  encode: EventEncoder<V | Buffer> = encodeEvents,
): PreparedAppend<V | Buffer> {
  checkSessionId(sessionId);
  const expected = opts?.expectedNextSeq;
  if (expected !== undefined) checkSeq('expectedNextSeq', expected, 0);
  const valid = validateBatch(sessionId, events, validate);
  return { valid, values: encode(sessionId, valid), expected };
}
