import type { SessionEvent } from '@shoal/shared';
import { type CatalogRecord, decodeCatalog, repairCatalog, type StoredCatalog } from './catalog.js';
import { StoreError, toStoreError } from './errors.js';
import { decodeStoredEvent } from './event-codec.js';
import { catalogKey, eventRange, seqOfKey, sessionPrefix } from './keys.js';
import type { LevelDb, LevelSnapshot } from './level-database.js';
import { readValue } from './level-database.js';
import { checkLogEnd } from './level-log-integrity.js';
import type { SessionState } from './session-cache.js';

/*
 * What the LevelDB store reads to know a session: its catalog record and the key of its last event. The
 * catalog record may lag the log by a few message-counting events (catalog.ts CATALOG_MAX_LAG); the current
 * record is the stored one plus those events.
 */

/**
 * A session's state as on disk (catalog and next seq), not yet cached; null when the session does not exist.
 * The caller holds the session's lock, so nothing of the session is written meanwhile.
 */
export async function readSessionState(db: LevelDb, sessionId: string): Promise<SessionState | null> {
  const prefix = sessionPrefix(sessionId);
  const [buf, latest] = await Promise.all([
    readValue(db, catalogKey(prefix), sessionId),
    readLatestSeq(db, sessionId, prefix),
  ]);
  if (buf === undefined) return null;
  const stored = decodeCatalogOf(sessionId, buf);
  const nextSeq = latest === null ? 0 : latest + 1;
  // A log that ends before its catalog record says lost its tail: appending would reuse those seqs.
  checkLogEnd(sessionId, nextSeq, true, stored.seq);
  const catalog =
    stored.seq === undefined || stored.seq >= nextSeq
      ? stored.record
      : await currentCatalog(db, sessionId, prefix, stored);
  return { nextSeq, catalog, catalogSeq: stored.seq ?? nextSeq, ticket: 0, used: false };
}

/** The seq of the session's last event, or null when its log is empty. */
export async function readLatestSeq(db: LevelDb, sessionId: string, prefix: Buffer): Promise<number | null> {
  let keys: Buffer[];
  try {
    keys = await db.keys({ ...eventRange(prefix), reverse: true, limit: 1 }).all();
  } catch (err) {
    throw toStoreError(err, `read latest seq of session ${sessionId}`, sessionId);
  }
  const key = keys[0];
  if (key === undefined) return null;
  const seq = seqOfKey(prefix, key);
  if (seq === null) {
    throw new StoreError('CORRUPT_RECORD', `session ${sessionId}: malformed event key`, { sessionId });
  }
  return seq;
}

/** The current catalog record: the stored one plus the events it does not count yet (catalog.ts). */
export async function currentCatalog(
  db: LevelDb,
  sessionId: string,
  prefix: Buffer,
  stored: StoredCatalog,
  snapshot?: LevelSnapshot,
): Promise<CatalogRecord> {
  if (stored.seq === undefined) return stored.record;
  const range = eventRange(prefix, stored.seq);
  let values: Buffer[];
  try {
    values = await db.values(snapshot === undefined ? range : { ...range, snapshot }).all();
  } catch (err) {
    throw toStoreError(err, `read events of session ${sessionId}`, sessionId);
  }
  const tail: SessionEvent[] = [];
  for (let i = 0; i < values.length; i++) {
    // An undecodable event is no message to count; reading the events reports it (CORRUPT_RECORD), and the
    // session stays listable and appendable, as with a corrupt event anywhere else in its log.
    try {
      tail.push(decodeStoredEvent(sessionId, stored.seq + i, values[i]!));
    } catch {}
  }
  return repairCatalog(stored.record, tail);
}

/** The current catalog record of `buf` (the session's stored record), read on `snapshot`. */
export function currentCatalogOf(
  db: LevelDb,
  sessionId: string,
  buf: Buffer,
  snapshot: LevelSnapshot,
): Promise<CatalogRecord> {
  return currentCatalog(db, sessionId, sessionPrefix(sessionId), decodeCatalogOf(sessionId, buf), snapshot);
}

export function decodeCatalogOf(sessionId: string, buf: Buffer): StoredCatalog {
  try {
    return decodeCatalog(buf);
  } catch (err) {
    throw new StoreError('CORRUPT_RECORD', `session ${sessionId}: catalog record cannot be decoded`, {
      sessionId,
      cause: err,
    });
  }
}
