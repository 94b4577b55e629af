import type { SessionConfig, SessionEvent } from '@shoal/shared';
import {
  applyEventsToCatalog,
  CATALOG_MAX_LAG,
  type CatalogRecord,
  catalogNeedsWrite,
  encodeCatalog,
} from './catalog.js';
import { encodeJson } from './codec.js';
import type { BatchOp } from './group-commit.js';
import {
  catalogKey,
  configKey,
  eventKeyOf,
  metadataIndexKey,
  sessionPrefix,
  updatedIndexKey,
} from './keys.js';
import type { SessionState } from './session-cache.js';

/*
 * The batch each write of the LevelDB store commits: the events, and in the same atomic batch the catalog
 * record, its index entries and the config they change (spec §9.3).
 */

export const EMPTY = Buffer.alloc(0);

/** A new session's batch: registration, catalog (counting the initial events), their config and the events. */
export function createOps(
  sessionId: string,
  catalog: CatalogRecord,
  config: SessionConfig | undefined,
  values: readonly Buffer[],
): BatchOp[] {
  const prefix = sessionPrefix(sessionId);
  const n = values.length;
  const ops: BatchOp[] = [
    { type: 'put', key: catalogKey(prefix), value: encodeCatalog(catalog, n) },
    { type: 'put', key: updatedIndexKey(catalog.updatedAt, sessionId), value: EMPTY },
  ];
  pushMetadataOps(ops, sessionId, {}, catalog.metadata);
  for (let i = 0; i < n; i++) ops.push({ type: 'put', key: eventKeyOf(sessionId, i), value: values[i]! });
  if (config !== undefined) ops.push({ type: 'put', key: configKey(prefix), value: encodeJson(config) });
  return ops;
}

/**
 * An append's batch, numbered from the cached `st`, which it advances (next seq, catalog). The catalog record
 * is rewritten unless only the message count changed and the record lags the log by less than
 * CATALOG_MAX_LAG: readers recover the count from the events after the record's seq (catalog.ts).
 */
export function appendOps(
  sessionId: string,
  st: SessionState,
  valid: readonly SessionEvent[],
  values: readonly Buffer[],
  now: number,
): { ops: BatchOp[]; seqs: number[] } {
  const first = st.nextSeq;
  const n = valid.length;
  const seqs = new Array<number>(n);
  const ops: BatchOp[] = new Array(n);
  for (let i = 0; i < n; i++) {
    seqs[i] = first + i;
    ops[i] = { type: 'put', key: eventKeyOf(sessionId, first + i), value: values[i]! };
  }
  const update = applyEventsToCatalog(st.catalog, valid, now);
  const prev = st.catalog;
  const next = update.record;
  const end = first + n;
  if (catalogNeedsWrite(prev, next) || end - st.catalogSeq >= CATALOG_MAX_LAG) {
    ops.push({ type: 'put', key: catalogKey(sessionPrefix(sessionId)), value: encodeCatalog(next, end) });
    st.catalogSeq = end;
    if (next.updatedAt !== prev.updatedAt) {
      ops.push(
        { type: 'del', key: updatedIndexKey(prev.updatedAt, sessionId) },
        { type: 'put', key: updatedIndexKey(next.updatedAt, sessionId), value: EMPTY },
      );
    }
    if (next.metadata !== prev.metadata) pushMetadataOps(ops, sessionId, prev.metadata, next.metadata);
  }
  st.catalog = next;
  if (update.config !== undefined) {
    ops.push({ type: 'put', key: configKey(sessionPrefix(sessionId)), value: encodeJson(update.config) });
  }
  st.nextSeq = end;
  return { ops, seqs };
}

/** The index entries a session's catalog record has (the newest-first entry and one per metadata pair). */
export function indexKeysOf(sessionId: string, catalog: CatalogRecord): Buffer[] {
  const keys = [updatedIndexKey(catalog.updatedAt, sessionId)];
  for (const [k, v] of Object.entries(catalog.metadata)) keys.push(metadataIndexKey(k, v, sessionId));
  return keys;
}

/** Keeps the metadata index in step when the metadata set changes (creation, SessionCreated merge). */
function pushMetadataOps(
  ops: BatchOp[],
  sessionId: string,
  prev: Record<string, string>,
  next: Record<string, string>,
): void {
  for (const [k, v] of Object.entries(prev)) {
    if (next[k] !== v) ops.push({ type: 'del', key: metadataIndexKey(k, v, sessionId) });
  }
  for (const [k, v] of Object.entries(next)) {
    if (prev[k] !== v) ops.push({ type: 'put', key: metadataIndexKey(k, v, sessionId), value: EMPTY });
  }
}
