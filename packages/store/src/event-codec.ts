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
      throw unencodableEvent(sessionId, i, err);
    }
  }
  return out;
}

/** INVALID_EVENT for the `index`th event of an append that cannot be encoded. */
export function unencodableEvent(sessionId: string, index: number, cause: unknown): StoreError {
  return new StoreError(
    'INVALID_EVENT',
    `session ${sessionId}: event ${index} cannot be encoded: ${String(cause)}`,
    {
      sessionId,
      eventIndex: index,
      cause,
    },
  );
}

/**
 * Decodes one stored event. Records are not re-validated against the schema (replay speed; they were
 * validated on write), but anything that is not an object with a string `type` is CORRUPT_RECORD, naming the
 * session and sequence number (api.md).
 */
export function decodeStoredEvent(sessionId: string, seq: number, value: Buffer): SessionEvent {
  let decoded: unknown;
  try {
    decoded = decodeJson(value);
  } catch (err) {
    throw corruptEvent(sessionId, seq, err);
  }
  return checkEventShape(sessionId, seq, decoded);
}

/** A decoded record that is an object with a string `type`, or CORRUPT_RECORD. */
export function checkEventShape(sessionId: string, seq: number, decoded: unknown): SessionEvent {
  if (
    decoded === null ||
    typeof decoded !== 'object' ||
    typeof (decoded as { type?: unknown }).type !== 'string'
  ) {
    throw corruptEvent(sessionId, seq, new TypeError('not an event object'));
  }
  return decoded as SessionEvent;
}

export function corruptEvent(sessionId: string, seq: number, cause: unknown): StoreError {
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
