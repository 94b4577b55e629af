import type { SessionConfig, SessionEvent, StoredEvent } from '@shoal/shared';
import { applyEventsToCatalog, newCatalogRecord, type SessionSummary, toSummary } from './catalog.js';
import { decodeAny } from './codec.js';
import {
  closedError,
  invalidArgument,
  StoreError,
  sequenceConflict,
  sessionAlreadyExists,
  sessionNotFound,
  toStoreError,
} from './errors.js';
import type {
  AppendOptions,
  Durability,
  EncodedSnapshot,
  ListSessionsOptions,
  LoadOptions,
  SessionPage,
  SessionStore,
  StoredSnapshot,
} from './event-store.js';
import { GroupCommit, type GroupCommitStats } from './group-commit.js';
import {
  catalogKey,
  checkLoadArgs,
  checkSeq,
  checkSessionId,
  configKey,
  sessionPrefix,
  snapshotKey,
} from './keys.js';
import {
  chainedBatchWriter,
  checkFormat,
  closeAfterFailedOpen,
  type LevelDb,
  openDatabase,
  readValue,
  withSnapshot,
} from './level-database.js';
import { pruneSnapshotsBefore, readEventsAfter, readLatestSnapshot } from './level-event-log.js';
import { listSessionIds, listSessions } from './level-listing.js';
import { currentCatalogOf, readLatestSeq, readSessionState } from './level-session-state.js';
import { checkOpenOptions, type LevelEventStoreOptions } from './level-store-options.js';
import { TwoStepDelete } from './level-two-step-delete.js';
import { appendOps, createOps } from './level-write-ops.js';

export type { LevelEventStoreOptions } from './level-store-options.js';

import { checkListOptions } from './listing.js';
import { claimDirectory, type OpenMarker } from './open-marker.js';
import { SessionCache, type SessionState } from './session-cache.js';
import { SessionLocks } from './session-locks.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot-codec.js';
import { defaultEventValidator, type EventValidator, prepareAppend, prepareCreate } from './validate.js';

/**
 * The durable event store: one LevelDB database, group commit, a bounded per-session cache of next seq and
 * catalog. Key layout and encodings: keys.ts, codec.ts, README; the concepts and their files:
 * docs/architecture.md "Store".
 */
export class LevelEventStore implements SessionStore {
  private readonly locks = new SessionLocks();
  private readonly states: SessionCache;
  private readonly commit: GroupCommit;
  private readonly deletes: TwoStepDelete;
  private closed = false;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly db: LevelDb,
    readonly durability: Durability,
    private readonly validate: EventValidator,
    private readonly now: () => number,
    flushAtOps: number | 'auto' | undefined,
    maxCachedSessions: number,
    /** This process's claim on the directory (open-marker.ts), released once the database is closed. */
    private readonly marker: OpenMarker,
  ) {
    // Busy = must stay cached: a queued write not settled yet means the entry is ahead of the disk (a reload
    // would hand out its seqs again); a lock means a create/delete/snapshot/load is using the entry.
    this.states = new SessionCache(
      maxCachedSessions,
      (id, st) => st.ticket > this.commit.settledThrough || this.locks.has(id),
    );
    this.commit = new GroupCommit(
      chainedBatchWriter(db, durability === 'fsync'),
      {
        mapError: (err) => toStoreError(err, 'write'),
        onBatchFailed: (sessions, err) => {
          // The cached seq/catalog of these sessions counted the lost writes: forget them, reload from disk.
          for (const id of sessions) this.states.delete(id);
          return new StoreError('IO', `an earlier write of this session failed: ${err.message}`, {
            cause: err,
          });
        },
        onSettled: () => this.states.settled(),
      },
      flushAtOps === undefined ? {} : { flushAtOps },
    );
    this.deletes = new TwoStepDelete(db, this.commit);
  }

  /**
   * Opens (creating if missing) the store at `path`. A path held by another open store, in this process or
   * another, fails with LOCKED. Deletes interrupted by a crash are finished before this resolves.
   */
  static async open(path: string, opts: LevelEventStoreOptions = {}): Promise<LevelEventStore> {
    const { durability, flushAtOps, maxCachedSessions } = checkOpenOptions(opts);
    // Refused here, before LevelDB is touched, if this process (any thread) has the directory open already.
    const marker = claimDirectory(path);
    let db: LevelDb;
    try {
      db = await openDatabase(path);
    } catch (err) {
      marker.release();
      throw err;
    }
    const validate = opts.validateEvent ?? defaultEventValidator;
    const now = opts.now ?? Date.now;
    const store = new LevelEventStore(db, durability, validate, now, flushAtOps, maxCachedSessions, marker);
    try {
      // This process holds the LevelDB lock now: markers of other processes are leftovers of crashes.
      marker.clearStale();
      await checkFormat(db, path);
      await store.deletes.finishInterrupted();
    } catch (err) {
      const { error, closed } = await closeAfterFailedOpen(db, path, err);
      // Released only once LevelDB has let go of its lock.
      if (closed) marker.release();
      throw error;
    }
    return store;
  }

  /** Batches written so far and how many entries/ops they carried (group-commit effectiveness). */
  get writeStats(): Readonly<GroupCommitStats> {
    return this.commit.stats;
  }

  /**
   * Sessions whose state is cached now (metrics, tests). At most `maxCachedSessions` once writes have settled;
   * while writes are queued, sessions with unwritten appends may exceed it (they cannot be dropped yet).
   */
  get cachedSessionCount(): number {
    return this.states.size;
  }

  /**
   * Releases the session's cached state now instead of waiting for it to age out (e.g. when the runtime
   * passivates the session). Only drops an idle entry; returns false, and keeps it, while a write of the
   * session is queued or a create/delete/snapshot of it runs (it then ages out later). Never reads, writes or
   * throws (also not after `close()`); a later use reloads the state from disk. True for a session not cached.
   */
  evictSession(sessionId: string): boolean {
    return this.states.evict(sessionId);
  }

  async createSession(
    sessionId: string,
    meta?: Record<string, string>,
    initialEvents?: SessionEvent[],
  ): Promise<void> {
    this.assertOpen();
    const { metadata, valid, values } = prepareCreate(sessionId, meta, initialEvents, this.validate);
    await this.locks.run(sessionId, async () => {
      this.assertOpen();
      await this.deletes.finish(sessionId);
      if ((this.states.peek(sessionId) ?? (await this.readState(sessionId))) !== null) {
        throw sessionAlreadyExists(sessionId);
      }
      const now = this.now();
      const { record: catalog, config } = applyEventsToCatalog(newCatalogRecord(now, metadata), valid, now);
      const ops = createOps(sessionId, catalog, config, values);
      // Cached before the write lands: appends issued meanwhile queue behind this entry (FIFO), and if the
      // write fails the group commit drops the cache entry again.
      const n = values.length;
      const st: SessionState = { nextSeq: n, catalog, catalogSeq: n, ticket: 0, used: true };
      this.states.set(sessionId, st);
      const written = this.commit.enqueue(sessionId, ops);
      st.ticket = this.commit.lastTicket;
      await written;
    });
  }

  append(sessionId: string, events: SessionEvent[], opts?: AppendOptions): Promise<number[]> {
    // Not async: a cached session goes from call to enqueued batch entry synchronously, with one promise.
    try {
      this.assertOpen();
      const { valid, values, expected } = prepareAppend(sessionId, events, opts, this.validate);
      const st = this.states.get(sessionId);
      if (st === undefined) return this.appendAfterLoad(sessionId, valid, values, expected);
      return this.enqueueAppend(sessionId, st, valid, values, expected);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  loadEvents(sessionId: string): Promise<StoredEvent[]> {
    return this.loadEventsAfter(sessionId, -1);
  }

  async loadEventsAfter(sessionId: string, afterSeq: number, opts?: LoadOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    const limit = checkLoadArgs(sessionId, afterSeq, opts?.limit);
    if (limit === 0 || this.deletes.has(sessionId)) return [];
    return readEventsAfter(this.db, sessionId, afterSeq, limit);
  }

  async latestSequence(sessionId: string): Promise<number | null> {
    this.assertOpen();
    checkSessionId(sessionId);
    if (this.deletes.has(sessionId)) return null;
    return readLatestSeq(this.db, sessionId, sessionPrefix(sessionId));
  }

  async sessionExists(sessionId: string): Promise<boolean> {
    this.assertOpen();
    checkSessionId(sessionId);
    if (this.deletes.has(sessionId)) return false;
    if (this.states.has(sessionId)) return true;
    try {
      return await this.db.has(catalogKey(sessionPrefix(sessionId)));
    } catch (err) {
      throw toStoreError(err, `read session ${sessionId}`, sessionId);
    }
  }

  async deleteSession(sessionId: string): Promise<void> {
    this.assertOpen();
    checkSessionId(sessionId);
    await this.locks.run(sessionId, async () => {
      await this.deletes.finish(sessionId);
      let st: SessionState | null;
      try {
        st = this.states.peek(sessionId) ?? (await this.readState(sessionId));
        if (st === null) return;
      } catch (err) {
        // A corrupt catalog must not make the session undeletable: its index entries are found by scanning.
        if (!(err instanceof StoreError && err.code === 'CORRUPT_RECORD')) throw err;
        st = null;
      }
      this.states.delete(sessionId);
      await this.deletes.delete(sessionId, st === null ? null : st.catalog);
    });
  }

  async listSessionIds(): Promise<string[]> {
    this.assertOpen();
    return listSessionIds(this.db);
  }

  async getSessionSummary(sessionId: string): Promise<SessionSummary | null> {
    this.assertOpen();
    checkSessionId(sessionId);
    if (this.deletes.has(sessionId)) return null;
    // One snapshot: the record and the events it does not count yet are read consistently.
    return withSnapshot(this.db, async (snapshot) => {
      const buf = await readValue(this.db, catalogKey(sessionPrefix(sessionId)), sessionId, snapshot);
      if (buf === undefined) return null;
      return toSummary(sessionId, await currentCatalogOf(this.db, sessionId, buf, snapshot));
    });
  }

  async getSessionConfig(sessionId: string): Promise<SessionConfig | null> {
    this.assertOpen();
    checkSessionId(sessionId);
    if (this.deletes.has(sessionId)) return null;
    const buf = await readValue(this.db, configKey(sessionPrefix(sessionId)), sessionId);
    if (buf === undefined) return null;
    try {
      return decodeAny(buf) as SessionConfig;
    } catch (err) {
      throw new StoreError('CORRUPT_RECORD', `session ${sessionId}: config record cannot be decoded`, {
        sessionId,
        cause: err,
      });
    }
  }

  async listSessions(opts: ListSessionsOptions = {}): Promise<SessionPage> {
    this.assertOpen();
    checkListOptions(opts);
    return listSessions(this.db, opts);
  }

  async saveSnapshot(sessionId: string, seq: number, snapshot: unknown): Promise<void> {
    this.assertOpen();
    checkSessionId(sessionId);
    checkSeq('seq', seq, 0);
    const value = encodeSnapshot(sessionId, snapshot);
    await this.locks.run(sessionId, async () => {
      this.assertOpen();
      const st = this.states.peek(sessionId) ?? (await this.readState(sessionId));
      if (st === null || this.deletes.has(sessionId)) throw sessionNotFound(sessionId);
      if (seq >= st.nextSeq) {
        throw invalidArgument(
          `session ${sessionId}: snapshot seq ${seq} is beyond the last event`,
          sessionId,
        );
      }
      const key = snapshotKey(sessionPrefix(sessionId), seq);
      await this.commit.enqueue(sessionId, [{ type: 'put', key, value }]);
      await pruneSnapshotsBefore(this.db, sessionId, key);
    });
  }

  async loadLatestSnapshot(sessionId: string): Promise<StoredSnapshot | null> {
    const encoded = await this.loadLatestSnapshotEncoded(sessionId);
    return encoded === null ? null : { seq: encoded.seq, snapshot: decodeSnapshot(sessionId, encoded) };
  }

  /**
   * The latest snapshot still encoded, so a worker thread can decode it itself: a flat byte array crosses a
   * port far more cheaply than the decoded object graph.
   */
  async loadLatestSnapshotEncoded(sessionId: string): Promise<EncodedSnapshot | null> {
    this.assertOpen();
    checkSessionId(sessionId);
    if (this.deletes.has(sessionId)) return null;
    return readLatestSnapshot(this.db, sessionId);
  }

  /** Waits for every accepted write (and in-flight create/delete/snapshot), then closes the database. */
  close(): Promise<void> {
    if (this.closing === null) {
      this.closed = true;
      this.closing = (async () => {
        await this.commit.whenIdle();
        await this.locks.drain();
        await this.commit.whenIdle();
        try {
          await this.db.close();
        } catch (err) {
          // The LevelDB lock may still be held: keep this process's claim on the directory too.
          throw toStoreError(err, 'close');
        }
        this.marker.release();
      })();
    }
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closed) throw closedError();
  }

  private async appendAfterLoad(
    sessionId: string,
    valid: SessionEvent[],
    values: Buffer[],
    expected: number | undefined,
  ): Promise<number[]> {
    for (;;) {
      const loaded = await this.loadState(sessionId);
      this.assertOpen();
      if (loaded === null) throw sessionNotFound(sessionId);
      // Only the entry in the cache may number appends: between the load and this continuation the entry can
      // have been evicted (idle, lock released) or dropped by a failed batch. Appending to a stale object
      // would hand out seqs a fresh load hands out again, so take the cached one, or load again.
      const st = this.states.get(sessionId);
      if (st !== undefined) return this.enqueueAppend(sessionId, st, valid, values, expected);
    }
  }

  /**
   * Synchronous from the check to the enqueue, so the expectedNextSeq check and the seq assignment cannot
   * interleave with another append of the same session; uses only the cache (no read on the hot path).
   */
  private enqueueAppend(
    sessionId: string,
    st: SessionState,
    valid: SessionEvent[],
    values: Buffer[],
    expected: number | undefined,
  ): Promise<number[]> {
    if (expected !== undefined && expected !== st.nextSeq) {
      throw sequenceConflict(sessionId, expected, st.nextSeq);
    }
    if (valid.length === 0) return Promise.resolve([]);
    const { ops, seqs } = appendOps(sessionId, st, valid, values, this.now());
    const written = this.commit.enqueue(sessionId, ops, seqs);
    // Pins the entry until this write settles (an evicted entry ahead of the disk would reload stale seqs).
    st.ticket = this.commit.lastTicket;
    return written;
  }

  /** Fills the cache for a session not cached yet, under its lock. */
  private loadState(sessionId: string): Promise<SessionState | null> {
    return this.locks.run(
      sessionId,
      async () => this.states.peek(sessionId) ?? (await this.readState(sessionId)),
    );
  }

  /** Reads a session's state from disk and caches it; null when it does not exist. Call locked. */
  private async readState(sessionId: string): Promise<SessionState | null> {
    if (this.deletes.has(sessionId)) return null;
    const st = await readSessionState(this.db, sessionId);
    // Inserted while the caller holds this session's lock, so the eviction this may run cannot drop it.
    if (st !== null) this.states.set(sessionId, st);
    return st;
  }
}
