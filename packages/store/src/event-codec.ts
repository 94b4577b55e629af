import type { SessionEvent } from '@shoal/shared';
import { decodeJson, encodeJson } from './codec.js';
import { StoreError } from './errors.js';

/** Encodes each event once (JSON, codec.ts); an event JSON cannot represent rejects the append. */
export function encodeEvents(sessionId: string, events: readonly SessionEvent[]): Buffer[] {
  const out = new Array<Buffer>(events.length);
  for (let i = 0; i < events.length; i++) {
    try {
      out[i] = encodeJson(events[i]);
    } catch (err) {
      throw new StoreError(
        'INVALID_EVENT',
        `session ${sessionId}: event ${i} cannot be encoded: ${String(err)}`,
        {
          sessionId,
          eventIndex: i,
          cause: err,
        },
      );
    }
  }
  return out;
}

/**
 * Decodes one stored event. Records are not re-validated against the schema on read (replay speed; they were
 * validated on write), but anything that is not an object with a string `type` is CORRUPT_RECORD, naming the
 * session and sequence number (api.md).
 */
export function decodeStoredEvent(sessionId: string, seq: number, value: Buffer): SessionEvent {
  let decoded: unknown;
  try {
    decoded = decodeJson(value);
  } catch (err) {
    throw corrupt(sessionId, seq, err);
  }
  if (
    decoded === null ||
    typeof decoded !== 'object' ||
    typeof (decoded as { type?: unknown }).type !== 'string'
  ) {
    throw corrupt(sessionId, seq, new TypeError('not an event object'));
  }
  return decoded as SessionEvent;
}

function corrupt(sessionId: string, seq: number, cause: unknown): StoreError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new StoreError(
    'CORRUPT_RECORD',
    `session ${sessionId}: event at seq ${seq} cannot be decoded: ${detail}`,
    {
      sessionId,
      seq,
      cause,
    },
  );
}
