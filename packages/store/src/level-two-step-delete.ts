import type { CatalogRecord } from './catalog.js';
import { toStoreError } from './errors.js';
import type { BatchOp, GroupCommit } from './group-commit.js';
import {
  catalogKey,
  METADATA_INDEX_SPACE,
  prefixRange,
  sessionIdOfIndexKey,
  sessionIdOfTombstone,
  sessionPrefix,
  sessionRange,
  tombstoneKey,
  tombstoneRange,
  UPDATED_INDEX_PREFIX,
} from './keys.js';
import type { LevelDb } from './level-database.js';
import { EMPTY, indexKeysOf } from './level-write-ops.js';

/**
 * Deleting a session from the LevelDB store, in two steps. Step 1 is one atomic batch: the catalog record and
 * index entries go and a tombstone records the purge still to do; from then on the session is absent to every
 * reader. Step 2 range-deletes everything under the session's prefix (events, snapshots, config) and removes
 * the tombstone. A crash between the steps leaves the tombstone, and the next open finishes the purge.
 */
export class TwoStepDelete {
  /** Sessions whose step 1 has committed but whose purge has not finished: read as absent. */
  private readonly purging = new Set<string>();

  constructor(
    private readonly db: LevelDb,
    private readonly commit: GroupCommit,
  ) {}

  /** Whether the session is being deleted (its data is still on disk but it no longer exists). */
  has(sessionId: string): boolean {
    return this.purging.has(sessionId);
  }

  /**
   * Deletes the session whose current catalog is `catalog`, or, for `null` (its record is unreadable), whose
   * index entries are found by scanning. The caller holds the session's lock and has dropped its cache entry.
   */
  async delete(sessionId: string, catalog: CatalogRecord | null): Promise<void> {
    const indexKeys =
      catalog === null ? await this.findIndexKeys(sessionId) : indexKeysOf(sessionId, catalog);
    const ops: BatchOp[] = [
      { type: 'del', key: catalogKey(sessionPrefix(sessionId)) },
      { type: 'put', key: tombstoneKey(sessionId), value: EMPTY },
    ];
    for (const key of indexKeys) ops.push({ type: 'del', key });
    this.purging.add(sessionId);
    try {
      await this.commit.enqueue(sessionId, ops);
    } catch (err) {
      this.purging.delete(sessionId); // nothing was deleted: the session is still there
      throw err;
    }
    await this.finish(sessionId);
  }

  /** Step 2 for a session whose step 1 has committed; nothing for any other. Call with the session locked. */
  async finish(sessionId: string): Promise<void> {
    if (!this.purging.has(sessionId)) return;
    try {
      await this.db.clear(sessionRange(sessionPrefix(sessionId)));
    } catch (err) {
      throw toStoreError(err, `delete session ${sessionId}`, sessionId);
    }
    await this.commit.enqueue(sessionId, [{ type: 'del', key: tombstoneKey(sessionId) }]);
    this.purging.delete(sessionId);
  }

  /** Finishes the deletes a crash interrupted (their tombstones are still there); run once on open. */
  async finishInterrupted(): Promise<void> {
    const keys = await this.db.keys(tombstoneRange()).all();
    for (const key of keys) {
      const id = sessionIdOfTombstone(key);
      this.purging.add(id);
      await this.finish(id);
    }
  }

  /** Index entries of a session whose catalog is unreadable (rare path: scans both indexes). */
  private async findIndexKeys(sessionId: string): Promise<Buffer[]> {
    const found: Buffer[] = [];
    for (const space of [UPDATED_INDEX_PREFIX, METADATA_INDEX_SPACE]) {
      for (const key of await this.db.keys(prefixRange(space)).all()) {
        if (sessionIdOfIndexKey(key) === sessionId) found.push(key);
      }
    }
    return found;
  }
}
