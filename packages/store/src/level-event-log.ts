import type { StoredEvent } from '@shoal/shared';
import { StoreError, toStoreError } from './errors.js';
import { decodeStoredEvent } from './event-codec.js';
import type { EncodedSnapshot } from './event-store.js';
import { catalogKey, eventRange, seqOfKey, sessionPrefix, snapshotRange } from './keys.js';
import { type LevelDb, withSnapshot } from './level-database.js';
import { catalogEndOf, checkContiguous, checkLogEnd, readError } from './level-log-integrity.js';

/*
 * Reading a session's log and its latest snapshot from the LevelDB store. Writes go through the group commit
 * (level-write-ops.ts).
 */

/**
 * Up to `limit` events after `afterSeq`. Besides decoding each record, checks what LevelDB cannot (it drops a
 * write-ahead-log record whose checksum fails during recovery and carries on): the seqs must run on from
 * `afterSeq` without a gap, and the log may not end before the catalog record says it did
 * (level-log-integrity.ts). Either fails this session's read with CORRUPT_RECORD naming the first missing seq.
 */
export async function readEventsAfter(
  db: LevelDb,
  sessionId: string,
  afterSeq: number,
  limit: number | undefined,
): Promise<StoredEvent[]> {
  const prefix = sessionPrefix(sessionId);
  // One snapshot: the catalog record and the events are compared as of the same moment.
  const { entries, catalog } = await withSnapshot(db, async (snapshot) => {
    try {
      const range = { ...eventRange(prefix, afterSeq + 1), snapshot };
      const entries = await db.iterator(limit === undefined ? range : { ...range, limit }).all();
      const catalog = await db.get(catalogKey(prefix), { snapshot });
      return { entries, catalog };
    } catch (err) {
      throw readError(err, sessionId, afterSeq + 1);
    }
  });
  const out = new Array<StoredEvent>(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const [key, value] = entries[i]!;
    const seq = seqOfKey(prefix, key);
    if (seq === null) {
      throw new StoreError(
        'CORRUPT_RECORD',
        `session ${sessionId}: malformed event key after seq ${afterSeq}`,
        {
          sessionId,
        },
      );
    }
    checkContiguous(sessionId, afterSeq + 1 + i, seq);
    out[i] = { seq, event: decodeStoredEvent(sessionId, seq, value) };
  }
  const complete = limit === undefined || entries.length < limit;
  checkLogEnd(sessionId, afterSeq + 1 + entries.length, complete, catalogEndOf(sessionId, catalog));
  return out;
}

/** The session's latest snapshot, still encoded (a worker thread decodes it itself). */
export async function readLatestSnapshot(db: LevelDb, sessionId: string): Promise<EncodedSnapshot | null> {
  const prefix = sessionPrefix(sessionId);
  let entries: Array<[Buffer, Buffer]>;
  try {
    entries = await db.iterator({ ...snapshotRange(prefix), reverse: true, limit: 1 }).all();
  } catch (err) {
    throw toStoreError(err, `read snapshot of session ${sessionId}`, sessionId);
  }
  const entry = entries[0];
  if (entry === undefined) return null;
  const seq = seqOfKey(prefix, entry[0]);
  if (seq === null) {
    throw new StoreError('CORRUPT_RECORD', `session ${sessionId}: malformed snapshot key`, { sessionId });
  }
  // An exact-length copy: the LevelDB buffer's backing store may be larger than the value.
  return { seq, encoded: new Uint8Array(entry[1]) };
}

/** Drops the session's snapshots older than the one at `keptKey`; losing this to a crash only costs space. */
export async function pruneSnapshotsBefore(db: LevelDb, sessionId: string, keptKey: Buffer): Promise<void> {
  try {
    await db.clear({ gte: snapshotRange(sessionPrefix(sessionId)).gte, lt: keptKey });
  } catch (err) {
    throw toStoreError(err, `prune snapshots of session ${sessionId}`, sessionId);
  }
}
