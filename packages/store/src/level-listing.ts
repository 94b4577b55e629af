import { type CatalogRecord, type SessionSummary, toSummary } from './catalog.js';
import { toStoreError } from './errors.js';
import type { ListSessionsOptions, SessionPage } from './event-store.js';
import {
  catalogKey,
  listingSuffix,
  metadataIndexPrefix,
  prefixRange,
  sessionIdOfIndexKey,
  sessionPrefix,
  suffixOfUpdatedKey,
  UPDATED_INDEX_PREFIX,
} from './keys.js';
import { type LevelDb, type LevelSnapshot, withSnapshot } from './level-database.js';
import { currentCatalogOf } from './level-session-state.js';
import { byPosition, DEFAULT_PAGE_LIMIT, decodeCursor, encodeCursor, paginate } from './listing.js';

/*
 * Listing the LevelDB store's sessions from its two indexes (keys.ts): the newest-first index (`u`), re-keyed
 * when a session's updatedAt moves, and the metadata index (`m`), one entry per pair, never re-keyed.
 */

/** Every session id, from the newest-first index. */
export async function listSessionIds(db: LevelDb): Promise<string[]> {
  try {
    const keys = await db.keys(prefixRange(UPDATED_INDEX_PREFIX)).all();
    // Each session has one index entry; a damaged log (a lost re-keying batch) can leave a stale second one.
    return [...new Set(keys.map(sessionIdOfIndexKey))];
  } catch (err) {
    throw toStoreError(err, 'list sessions');
  }
}

/** One page, newest first; index entries and the catalog records they point at are read on one snapshot. */
export async function listSessions(db: LevelDb, opts: ListSessionsOptions): Promise<SessionPage> {
  try {
    return await withSnapshot(db, (snapshot) =>
      opts.metadataFilter === undefined
        ? listNewestFirst(db, opts, snapshot)
        : listFiltered(db, opts, opts.metadataFilter, snapshot),
    );
  } catch (err) {
    throw toStoreError(err, 'list sessions');
  }
}

/** Unfiltered: walks the newest-first index from the cursor, reading only the page. */
async function listNewestFirst(
  db: LevelDb,
  opts: ListSessionsOptions,
  snapshot: LevelSnapshot,
): Promise<SessionPage> {
  const { limit = DEFAULT_PAGE_LIMIT, offset = 0, cursor } = opts;
  const range = prefixRange(UPDATED_INDEX_PREFIX);
  const want = offset + limit + 1; // one more tells whether there is a next page
  const bounds =
    cursor === undefined
      ? { ...range, limit: want, snapshot }
      : {
          gt: Buffer.concat([UPDATED_INDEX_PREFIX, decodeCursor(cursor)]),
          lt: range.lt,
          limit: want,
          snapshot,
        };
  const keys = await db.keys(bounds).all();
  const page = keys.slice(offset, offset + limit);
  const ids = page.map(sessionIdOfIndexKey);
  const records = await readCatalogs(db, ids, snapshot);
  const sessions: SessionSummary[] = [];
  records.forEach((rec, i) => {
    // An entry not matching the record's updatedAt is stale (left by a lost batch of a damaged log).
    if (rec !== undefined && listingSuffix(rec.updatedAt, ids[i]!).equals(suffixOfUpdatedKey(page[i]!))) {
      sessions.push(toSummary(ids[i]!, rec));
    }
  });
  const last = page[page.length - 1];
  const more = keys.length > offset + limit && last !== undefined;
  return { sessions, nextCursor: more ? encodeCursor(suffixOfUpdatedKey(last)) : null };
}

/**
 * Filtered: reads the catalog of every session having the pair (the metadata index is not time-ordered),
 * orders them newest first and cuts the page. Cost grows with the sessions that match.
 */
async function listFiltered(
  db: LevelDb,
  opts: ListSessionsOptions,
  filter: { key: string; value: string },
  snapshot: LevelSnapshot,
): Promise<SessionPage> {
  const keys = await db
    .keys({ ...prefixRange(metadataIndexPrefix(filter.key, filter.value)), snapshot })
    .all();
  const ids = keys.map(sessionIdOfIndexKey);
  const records = await readCatalogs(db, ids, snapshot);
  const entries: Array<{ id: string; rec: CatalogRecord; suffix: Buffer }> = [];
  records.forEach((rec, i) => {
    if (rec !== undefined && rec.metadata[filter.key] === filter.value) {
      entries.push({ id: ids[i]!, rec, suffix: listingSuffix(rec.updatedAt, ids[i]!) });
    }
  });
  const { page, nextCursor } = paginate(entries.sort(byPosition), opts);
  return { sessions: page.map((e) => toSummary(e.id, e.rec)), nextCursor };
}

async function readCatalogs(
  db: LevelDb,
  ids: string[],
  snapshot: LevelSnapshot,
): Promise<Array<CatalogRecord | undefined>> {
  if (ids.length === 0) return [];
  const values = await db.getMany(
    ids.map((id) => catalogKey(sessionPrefix(id))),
    { snapshot },
  );
  return Promise.all(
    values.map((buf, i) => (buf === undefined ? undefined : currentCatalogOf(db, ids[i]!, buf, snapshot))),
  );
}
