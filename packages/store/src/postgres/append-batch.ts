import { StoreError, sequenceConflict, sessionNotFound } from '../errors.js';
import { appendParams, type QueuedAppend } from './append-rows.js';
import type { PgDatabase } from './pg-database.js';
import type { AppendFence } from './statements.js';

/**
 * Writes one batch of appends (at most one per session, WriteQueue) as one statement and settles each: with its
 * sequence numbers when the fence let it through, or with why not (nothing of it was written).
 */
export async function writeAppendBatch(
  db: PgDatabase,
  statements: { append: string; nextSeqs: string },
  fence: AppendFence | undefined,
  batch: QueuedAppend[],
): Promise<void> {
  // Sorted by id: stores racing the same sessions then update their rows in the same order (statements.ts).
  batch.sort(bySessionId);
  const params = appendParams(batch, fence !== undefined);
  const res = await db.write<{ idx: number; first: number }>(
    batch.length === 1 ? `append to session ${batch[0]!.sessionId}` : `append (batch of ${batch.length})`,
    batch.length === 1 ? batch[0]!.sessionId : undefined,
    { name: `shoal-append-${fence === undefined ? 'plain' : 'fenced'}`, text: statements.append },
    params,
  );
  const committed = new Array<number | undefined>(batch.length);
  for (const row of res.rows) committed[row.idx] = row.first;
  const refused: QueuedAppend[] = [];
  for (let i = 0; i < batch.length; i++) {
    const first = committed[i];
    const a = batch[i]!;
    if (first === undefined) refused.push(a);
    else a.resolve(a.bodies.map((_, k) => first + k));
  }
  if (refused.length > 0) await explainRefused(db, statements.nextSeqs, fence, refused);
}

/** Why the fence refused these appends: unknown id, a sequence conflict, or the extra fence. */
async function explainRefused(
  db: PgDatabase,
  nextSeqs: string,
  fence: AppendFence | undefined,
  refused: QueuedAppend[],
): Promise<void> {
  let current: Map<string, number>;
  try {
    const res = await db.read<{ id: string; next_seq: number }>('read sessions', undefined, nextSeqs, [
      refused.map((a) => a.sessionId),
    ]);
    current = new Map(res.rows.map((r) => [r.id, r.next_seq]));
  } catch (err) {
    for (const a of refused) a.reject(err);
    return;
  }
  for (const a of refused) {
    const actual = current.get(a.sessionId);
    if (actual === undefined) a.reject(sessionNotFound(a.sessionId));
    else if (a.expected !== null && a.expected !== actual) {
      a.reject(sequenceConflict(a.sessionId, a.expected, actual));
    } else if (fence !== undefined) {
      const why = fence.rejected(a.sessionId);
      a.reject(new StoreError('LEASE_LOST', why.message, { sessionId: a.sessionId, cause: why }));
    }
    // The session was deleted and created again between the append and this read.
    else a.reject(sessionNotFound(a.sessionId));
  }
}

function bySessionId(a: QueuedAppend, b: QueuedAppend): number {
  return a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0;
}
