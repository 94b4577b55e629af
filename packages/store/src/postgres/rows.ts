import type { SessionConfig, StoredEvent } from '@shoal/shared';
import type { SessionSummary } from '../catalog.js';
import { StoreError } from '../errors.js';
import { checkEventShape, corruptEvent } from '../event-codec.js';
import { listingSuffix, readSeq, SEQ_BYTES } from '../keys.js';
import { decodeCursor, encodeCursor } from '../listing.js';

/** A `sessions` row as the catalog queries select it (int8 parsed as number). */
export interface SummaryRow {
  id: string;
  created_at: number;
  updated_at: number;
  message_count: number;
  last_model: string | null;
  title: string | null;
  metadata: Record<string, string>;
}

/** Decodes one stored event, checked like the LevelDB store's records (event-codec.ts). */
export function decodeEventRow(sessionId: string, row: { seq: number; body: string }): StoredEvent {
  let event: unknown;
  try {
    event = JSON.parse(row.body);
  } catch (err) {
    throw corruptEvent(sessionId, row.seq, err);
  }
  return { seq: row.seq, event: checkEventShape(sessionId, row.seq, event) };
}

export function decodeConfig(sessionId: string, text: string): SessionConfig {
  try {
    return JSON.parse(text) as SessionConfig;
  } catch (err) {
    throw new StoreError('CORRUPT_RECORD', `session ${sessionId}: config record cannot be decoded`, {
      sessionId,
      cause: err,
    });
  }
}

export function toSummaryRow(row: SummaryRow): SessionSummary {
  const s: SessionSummary = {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    messageCount: row.message_count,
    metadata: { ...row.metadata },
  };
  if (row.last_model !== null) s.lastModel = jsonString(row.id, 'last model', row.last_model);
  if (row.title !== null) s.title = jsonString(row.id, 'title', row.title);
  return s;
}

function jsonString(sessionId: string, what: string, text: string): string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = undefined;
  }
  if (typeof v !== 'string') {
    throw new StoreError('CORRUPT_RECORD', `session ${sessionId}: catalog ${what} cannot be decoded`, {
      sessionId,
    });
  }
  return v;
}

/**
 * Cursors have the LevelDB store's format (the listing position `<inverted updatedAt><id>`, base64url), so
 * both stores accept and reject the same strings.
 */
export function pageCursor(row: SummaryRow): string {
  return encodeCursor(listingSuffix(row.updated_at, row.id));
}

export function cursorPosition(cursor: string): { updatedAt: number; id: string } {
  const buf = decodeCursor(cursor);
  return { updatedAt: Number.MAX_SAFE_INTEGER - readSeq(buf, 0), id: buf.toString('utf8', SEQ_BYTES) };
}
