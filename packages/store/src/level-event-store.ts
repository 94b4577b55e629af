import type { SessionConfig, SessionEvent, StoredEvent } from '@shoal/shared';
import { ClassicLevel } from 'classic-level';
import {
  applyEventsToCatalog,
  CATALOG_MAX_LAG,
  type CatalogRecord,
  catalogNeedsWrite,
  decodeCatalog,
  encodeCatalog,
  newCatalogRecord,
  repairCatalog,
  type SessionSummary,
  type StoredCatalog,
  toSummary,
} from './catalog.js';
import { decodeAny, encodeJson } from './codec.js';
import {
  closedError,
  invalidArgument,
  StoreError,
  sequenceConflict,
  sessionNotFound,
  toStoreError,
} from './errors.js';
import { decodeStoredEvent } from './event-codec.js';
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
import { type BatchOp, GroupCommit, type GroupCommitStats } from './group-commit.js';
import {
  catalogKey,
  checkLoadArgs,
  checkMetadata,
  checkSeq,
  checkSessionId,
  configKey,
  eventKeyOf,
  eventRange,
  FORMAT_KEY,
  FORMAT_VERSION,
  listingSuffix,
  metadataIndexKey,
  metadataIndexPrefix,
  prefixRange,
  seqOfKey,
  sessionIdOfIndexKey,
  sessionIdOfTombstone,
  sessionPrefix,
  sessionRange,
  snapshotKey,
  snapshotRange,
  suffixOfUpdatedKey,
  tombstoneKey,
  tombstoneRange,
  UPDATED_INDEX_PREFIX,
  updatedIndexKey,
} from './keys.js';
import { catalogEndOf, checkContiguous, checkLogEnd, readError } from './level-log-integrity.js';
import { byPosition, checkListOptions, decodeCursor, encodeCursor, paginate } from './listing.js';
import { claimDirectory, type OpenMarker } from './open-marker.js';
import { SessionCache, type SessionState } from './session-cache.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot-codec.js';
import {
  defaultEventValidator,
  type EventValidator,
  prepareAppend,
  prepareInitialEvents,
} from './validate.js';

export interface LevelEventStoreOptions {
  /**
   * `fsync` (default): an append resolves only after its batch was written with sync, so it survives a
   * machine crash or power loss. `buffered`: no sync; an acknowledged append survives a process crash
   * (the data is in the OS page cache) but the last moments before a machine crash may be lost.
   */
  durability?: Durability;
  /** Checks each appended event; default `SessionEventSchema.parse` from `@shoal/shared`. */
  validateEvent?: EventValidator;
  /** Clock for catalog times (ms since epoch); default `Date.now`. Injected by tests. */
  now?: () => number;
  /**
   * Group-commit tuning: start a batch write as soon as this many operations wait (and none is in flight)
   * instead of at the end of the event-loop turn, so the rest of the turn's appends are prepared while it is
   * on disk. Default `'auto'`: appends that arrive in one turn share one batch and one sync, except that
   * after a batch of 512 or more appends the next wave goes out in two halves (group-commit.ts). `Infinity`:
   * always one batch per turn.
   */
  flushAtOps?: number | 'auto';
  /**
   * How many sessions' sequence/catalog state is kept in memory (~0.25 KiB each, README "Session cache"); the
   * least recently used idle ones beyond it are dropped and reloaded from disk (two reads) on their next use.
   * A positive integer or `Infinity`; default 10,000. Size it above the sessions appending concurrently.
   */
  maxCachedSessions?: number;
}

/** Default bound of the session cache (README "Session cache": ~2.3 MiB, far above the active working set). */
export const DEFAULT_MAX_CACHED_SESSIONS = 10_000;

type Db = ClassicLevel<Buffer, Buffer>;
type LevelSnapshot = ReturnType<Db['snapshot']>;

const DEFAULT_LIMIT = 100;

/**
 * The durable event store: one LevelDB (classic-level) database, group commit, per-session sequence cache.
 * Key layout and encodings: keys.ts, codec.ts, README.
 */
export class LevelEventStore implements SessionStore {
  private readonly locks = new Map<string, Promise<void>>();
  private readonly states: SessionCache;
  /** Sessions whose delete has committed but whose range is not purged yet: read as absent. */
  private readonly purging = new Set<string>();
  private readonly commit: GroupCommit;
  private closed = false;
  private closing: Promise<void> | null = null;
  /** This process's claim on the directory (open-marker.ts), released once the database is closed. */
  private marker: OpenMarker | undefined;

  private constructor(
    private readonly db: Db,
    readonly durability: Durability,
    private readonly validate: EventValidator,
    private readonly now: () => number,
    flushAtOps: number | 'auto' | undefined,
    maxCachedSessions: number,
  ) {
    // Busy = must stay cached: a queued write not settled yet means the entry is ahead of the disk (a reload
    // would hand out its seqs again); a lock means a create/delete/snapshot/load is using the entry.
    this.states = new SessionCache(
      maxCachedSessions,
      (id, st) => st.ticket > this.commit.settledThrough || this.locks.has(id),
    );
    const sync = durability === 'fsync';
    // A chained batch, not db.batch(array): abstract-level normalises every op of an array batch on the main
    // thread (measured ~6 µs/op vs ~1 µs/op chained, README).
    const write = (ops: BatchOp[]): Promise<void> => {
      const batch = db.batch();
      for (const op of ops) {
        if (op.type === 'put') batch.put(op.key, op.value);
        else batch.del(op.key);
      }
      return batch.write({ sync });
    };
    this.commit = new GroupCommit(
      write,
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
  }

  /**
   * Opens (creating if missing) the store at `path`. A path held by another open store, in this process or
   * another, fails with LOCKED. Deletes interrupted by a crash are finished before this resolves.
   */
  static async open(path: string, opts: LevelEventStoreOptions = {}): Promise<LevelEventStore> {
    const durability = opts.durability ?? 'fsync';
    if (durability !== 'fsync' && durability !== 'buffered') {
      throw invalidArgument(`durability must be 'fsync' or 'buffered', got ${String(durability)}`);
    }
    const flushAt = opts.flushAtOps;
    if (flushAt !== undefined && flushAt !== 'auto' && !(typeof flushAt === 'number' && flushAt >= 1)) {
      throw invalidArgument(`flushAtOps must be a number >= 1 or 'auto', got ${String(flushAt)}`);
    }
    const maxCached = opts.maxCachedSessions ?? DEFAULT_MAX_CACHED_SESSIONS;
    if (!(Number.isInteger(maxCached) && maxCached >= 1) && maxCached !== Number.POSITIVE_INFINITY) {
      throw invalidArgument(
        `maxCachedSessions must be a positive integer or Infinity, got ${String(maxCached)}`,
      );
    }
    // Refused here, before LevelDB is touched, if this process (any thread) has the directory open already.
    const marker = claimDirectory(path);
    const db: Db = new ClassicLevel<Buffer, Buffer>(path, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    try {
      await db.open();
    } catch (err) {
      marker.release();
      throw openError(path, err);
    }
    const store = new LevelEventStore(
      db,
      durability,
      opts.validateEvent ?? defaultEventValidator,
      opts.now ?? Date.now,
      opts.flushAtOps,
      maxCached,
    );
    store.marker = marker;
    try {
      // This process holds the LevelDB lock now: markers of other processes are leftovers of crashes.
      marker.clearStale();
      await store.checkFormat(path);
      await store.finishInterruptedDeletes();
    } catch (err) {
      const failure = toStoreError(err, `open ${path}`);
      const closeErr = await db.close().then(
        () => undefined,
        (e: unknown) => e,
      );
      if (closeErr === undefined) {
        marker.release();
        throw failure;
      }
      throw new StoreError(
        failure.code,
        `${failure.message} (closing it again also failed: ${String(closeErr)})`,
        {
          cause: new AggregateError([err, closeErr]),
        },
      );
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
    checkSessionId(sessionId);
    const metadata = checkMetadata(meta, sessionId);
    const initial = prepareInitialEvents(sessionId, initialEvents, this.validate);
    await this.withLock(sessionId, async () => {
      this.assertOpen();
      await this.finishPurge(sessionId);
      if ((this.states.peek(sessionId) ?? (await this.readState(sessionId))) !== null) {
        throw new StoreError('SESSION_ALREADY_EXISTS', `session ${sessionId} already exists`, { sessionId });
      }
      const prefix = sessionPrefix(sessionId);
      const now = this.now();
      // One batch: registration, catalog (counting the initial events), their config and the events.
      const update = applyEventsToCatalog(newCatalogRecord(now, metadata), initial.valid, now);
      const catalog = update.record;
      const n = initial.valid.length;
      const ops: BatchOp[] = [
        { type: 'put', key: catalogKey(prefix), value: encodeCatalog(catalog, n) },
        { type: 'put', key: updatedIndexKey(catalog.updatedAt, sessionId), value: EMPTY },
      ];
      pushMetadataOps(ops, sessionId, {}, catalog.metadata);
      for (let i = 0; i < n; i++) {
        ops.push({ type: 'put', key: eventKeyOf(sessionId, i), value: initial.values[i]! });
      }
      if (update.config !== undefined) {
        ops.push({ type: 'put', key: configKey(prefix), value: encodeJson(update.config) });
      }
      // Cached before the write lands: appends issued meanwhile queue behind this entry (FIFO), and if the
      // write fails the group commit drops the cache entry again.
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
    const first = st.nextSeq;
    const n = valid.length;
    const seqs = new Array<number>(n);
    if (n === 0) return Promise.resolve(seqs);
    const ops: BatchOp[] = new Array(n);
    for (let i = 0; i < n; i++) {
      seqs[i] = first + i;
      ops[i] = { type: 'put', key: eventKeyOf(sessionId, first + i), value: values[i]! };
    }
    // spec §9.3: the catalog changes in the same atomic batch as the events, except a change of the message
    // count alone, which readers recover from the events after the record's seq (catalog.ts CATALOG_MAX_LAG).
    const update = applyEventsToCatalog(st.catalog, valid, this.now());
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
    const written = this.commit.enqueue(sessionId, ops, seqs);
    // Pins the entry until this write settles (an evicted entry ahead of the disk would reload stale seqs).
    st.ticket = this.commit.lastTicket;
    return written;
  }

  loadEvents(sessionId: string): Promise<StoredEvent[]> {
    return this.loadEventsAfter(sessionId, -1);
  }

  /**
   * Besides decoding each record, checks what LevelDB cannot (it drops a write-ahead-log record whose checksum
   * fails during recovery and carries on): the seqs must run on from `afterSeq` without a gap, and the log may
   * not end before the catalog record says it did (level-log-integrity.ts). Either fails this session's read with
   * CORRUPT_RECORD naming the first missing seq; other sessions are unaffected.
   */
  async loadEventsAfter(sessionId: string, afterSeq: number, opts?: LoadOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    const limit = checkLoadArgs(sessionId, afterSeq, opts?.limit);
    if (limit === 0 || this.purging.has(sessionId)) return [];
    const prefix = sessionPrefix(sessionId);
    let entries: Array<[Buffer, Buffer]>;
    let catalog: Buffer | undefined;
    // One snapshot: the catalog record and the events are compared as of the same moment.
    const snapshot = this.db.snapshot();
    try {
      const range = { ...eventRange(prefix, afterSeq + 1), snapshot };
      entries = await this.db.iterator(limit === undefined ? range : { ...range, limit }).all();
      catalog = await this.db.get(catalogKey(prefix), { snapshot });
    } catch (err) {
      throw readError(err, sessionId, afterSeq + 1);
    } finally {
      await snapshot.close();
    }
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

  async latestSequence(sessionId: string): Promise<number | null> {
    this.assertOpen();
    checkSessionId(sessionId);
    if (this.purging.has(sessionId)) return null;
    const prefix = sessionPrefix(sessionId);
    return this.readLatestSeq(sessionId, prefix);
  }

  async sessionExists(sessionId: string): Promise<boolean> {
    this.assertOpen();
    checkSessionId(sessionId);
    if (this.purging.has(sessionId)) return false;
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
    await this.withLock(sessionId, async () => {
      await this.finishPurge(sessionId);
      let st: SessionState | null;
      let indexKeys: Buffer[];
      try {
        st = this.states.peek(sessionId) ?? (await this.readState(sessionId));
        if (st === null) return;
        indexKeys = [updatedIndexKey(st.catalog.updatedAt, sessionId)];
        for (const [k, v] of Object.entries(st.catalog.metadata))
          indexKeys.push(metadataIndexKey(k, v, sessionId));
      } catch (err) {
        // A corrupt catalog must not make the session undeletable: find its index entries by scanning.
        if (!(err instanceof StoreError && err.code === 'CORRUPT_RECORD')) throw err;
        st = null;
        indexKeys = await this.findIndexKeys(sessionId);
      }
      const prefix = sessionPrefix(sessionId);
      // Step 1, atomic: catalog and index entries go, a tombstone records the purge still to do. From here
      // the session is absent to every reader.
      const ops: BatchOp[] = [
        { type: 'del', key: catalogKey(prefix) },
        { type: 'put', key: tombstoneKey(sessionId), value: EMPTY },
      ];
      for (const key of indexKeys) ops.push({ type: 'del', key });
      this.states.delete(sessionId);
      this.purging.add(sessionId);
      try {
        await this.commit.enqueue(sessionId, ops);
      } catch (err) {
        this.purging.delete(sessionId); // nothing was deleted: the session is still there
        throw err;
      }
      // Step 2: one range delete of everything under the session prefix (events, snapshots, config).
      await this.finishPurge(sessionId);
    });
  }

  async listSessionIds(): Promise<string[]> {
    this.assertOpen();
    try {
      const keys = await this.db.keys(prefixRange(UPDATED_INDEX_PREFIX)).all();
      // Each session has one index entry; a damaged log (a lost re-keying batch) can leave a stale second one.
      return [...new Set(keys.map(sessionIdOfIndexKey))];
    } catch (err) {
      throw toStoreError(err, 'list sessions');
    }
  }

  async getSessionSummary(sessionId: string): Promise<SessionSummary | null> {
    this.assertOpen();
    checkSessionId(sessionId);
    if (this.purging.has(sessionId)) return null;
    const prefix = sessionPrefix(sessionId);
    // One snapshot: the record and the events it does not count yet are read consistently.
    const snapshot = this.db.snapshot();
    try {
      const buf = await this.get(catalogKey(prefix), sessionId, snapshot);
      if (buf === undefined) return null;
      const stored = this.decodeCatalogOf(sessionId, buf);
      return toSummary(sessionId, await this.currentCatalog(sessionId, prefix, stored, snapshot));
    } finally {
      await snapshot.close();
    }
  }

  async getSessionConfig(sessionId: string): Promise<SessionConfig | null> {
    this.assertOpen();
    checkSessionId(sessionId);
    if (this.purging.has(sessionId)) return null;
    const buf = await this.get(configKey(sessionPrefix(sessionId)), sessionId);
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
    // One explicit snapshot: index entries and the catalog records they point at are read consistently.
    const snapshot = this.db.snapshot();
    try {
      return opts.metadataFilter === undefined
        ? await this.listNewestFirst(opts, snapshot)
        : await this.listFiltered(opts, opts.metadataFilter, snapshot);
    } catch (err) {
      throw toStoreError(err, 'list sessions');
    } finally {
      await snapshot.close();
    }
  }

  async saveSnapshot(sessionId: string, seq: number, snapshot: unknown): Promise<void> {
    this.assertOpen();
    checkSessionId(sessionId);
    checkSeq('seq', seq, 0);
    const value = encodeSnapshot(sessionId, snapshot);
    await this.withLock(sessionId, async () => {
      this.assertOpen();
      const st = this.states.peek(sessionId) ?? (await this.readState(sessionId));
      if (st === null || this.purging.has(sessionId)) throw sessionNotFound(sessionId);
      if (seq >= st.nextSeq) {
        throw invalidArgument(
          `session ${sessionId}: snapshot seq ${seq} is beyond the last event`,
          sessionId,
        );
      }
      const prefix = sessionPrefix(sessionId);
      const key = snapshotKey(prefix, seq);
      await this.commit.enqueue(sessionId, [{ type: 'put', key, value }]);
      // Older snapshots are no longer needed; losing this prune to a crash only costs disk space.
      try {
        await this.db.clear({ gte: snapshotRange(prefix).gte, lt: key });
      } catch (err) {
        throw toStoreError(err, `prune snapshots of session ${sessionId}`, sessionId);
      }
    });
  }

  async loadLatestSnapshot(sessionId: string): Promise<StoredSnapshot | null> {
    const encoded = await this.loadLatestSnapshotEncoded(sessionId);
    return encoded === null ? null : { seq: encoded.seq, snapshot: decodeSnapshot(sessionId, encoded) };
  }

  /**
   * The latest snapshot still encoded, so a worker thread can decode it itself: a flat byte array crosses a
   * port far more cheaply than the decoded object graph (resume of a 10,000-event session on a worker).
   */
  async loadLatestSnapshotEncoded(sessionId: string): Promise<EncodedSnapshot | null> {
    this.assertOpen();
    checkSessionId(sessionId);
    if (this.purging.has(sessionId)) return null;
    const prefix = sessionPrefix(sessionId);
    let entries: Array<[Buffer, Buffer]>;
    try {
      entries = await this.db.iterator({ ...snapshotRange(prefix), reverse: true, limit: 1 }).all();
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

  /** Waits for every accepted write (and in-flight create/delete/snapshot), then closes the database. */
  close(): Promise<void> {
    if (this.closing === null) {
      this.closed = true;
      this.closing = (async () => {
        await this.commit.whenIdle();
        await Promise.all([...this.locks.values()]);
        await this.commit.whenIdle();
        try {
          await this.db.close();
        } catch (err) {
          // The LevelDB lock may still be held: keep this process's claim on the directory too.
          throw toStoreError(err, 'close');
        }
        this.marker?.release();
      })();
    }
    return this.closing;
  }

  // ---- internals ----

  private assertOpen(): void {
    if (this.closed) throw closedError();
  }

  /** Serialises create/delete/snapshot/cache-load per session; appends to cached sessions never wait here. */
  private withLock<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(sessionId) ?? Promise.resolve();
    let tail: Promise<void> | undefined;
    // Released before `run` settles, so a caller that awaited the operation sees the session unlocked (and
    // its cache entry evictable, e.g. `await saveSnapshot(); evictSession()`).
    const release = (): void => {
      if (this.locks.get(sessionId) === tail) this.locks.delete(sessionId);
    };
    const run = prev.then(fn).finally(release);
    tail = run.then(noop, noop);
    this.locks.set(sessionId, tail);
    return run;
  }

  /** Fills the cache for a session not cached yet (lazily: the last event key gives the next seq). */
  private loadState(sessionId: string): Promise<SessionState | null> {
    return this.withLock(
      sessionId,
      async () => this.states.peek(sessionId) ?? (await this.readState(sessionId)),
    );
  }

  /** Reads catalog and last seq from disk and caches them; null when the session does not exist. Call locked. */
  private async readState(sessionId: string): Promise<SessionState | null> {
    if (this.purging.has(sessionId)) return null;
    const prefix = sessionPrefix(sessionId);
    const [buf, latest] = await Promise.all([
      this.get(catalogKey(prefix), sessionId),
      this.readLatestSeq(sessionId, prefix),
    ]);
    if (buf === undefined) return null;
    const stored = this.decodeCatalogOf(sessionId, buf);
    const nextSeq = latest === null ? 0 : latest + 1;
    // A log that ends before its catalog record says lost its tail: appending would reuse those seqs.
    checkLogEnd(sessionId, nextSeq, true, stored.seq);
    // Locked, and appends to an uncached session wait for this load: nothing is written meanwhile.
    const catalog =
      stored.seq === undefined || stored.seq >= nextSeq
        ? stored.record
        : await this.currentCatalog(sessionId, prefix, stored);
    const st: SessionState = { nextSeq, catalog, catalogSeq: stored.seq ?? nextSeq, ticket: 0, used: false };
    // Inserted while the caller holds this session's lock, so the eviction this may run cannot drop it.
    this.states.set(sessionId, st);
    return st;
  }

  private async readLatestSeq(sessionId: string, prefix: Buffer): Promise<number | null> {
    let keys: Buffer[];
    try {
      keys = await this.db.keys({ ...eventRange(prefix), reverse: true, limit: 1 }).all();
    } catch (err) {
      throw toStoreError(err, `read latest seq of session ${sessionId}`, sessionId);
    }
    const key = keys[0];
    if (key === undefined) return null;
    const seq = seqOfKey(prefix, key);
    if (seq === null)
      throw new StoreError('CORRUPT_RECORD', `session ${sessionId}: malformed event key`, { sessionId });
    return seq;
  }

  private async get(key: Buffer, sessionId: string, snapshot?: LevelSnapshot): Promise<Buffer | undefined> {
    try {
      return await (snapshot === undefined ? this.db.get(key) : this.db.get(key, { snapshot }));
    } catch (err) {
      throw toStoreError(err, `read session ${sessionId}`, sessionId);
    }
  }

  /** The current catalog record: the stored one plus the events it does not count yet (catalog.ts). */
  private async currentCatalog(
    sessionId: string,
    prefix: Buffer,
    stored: StoredCatalog,
    snapshot?: LevelSnapshot,
  ): Promise<CatalogRecord> {
    if (stored.seq === undefined) return stored.record;
    const range = eventRange(prefix, stored.seq);
    let values: Buffer[];
    try {
      values = await this.db.values(snapshot === undefined ? range : { ...range, snapshot }).all();
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

  private decodeCatalogOf(sessionId: string, buf: Buffer): StoredCatalog {
    try {
      return decodeCatalog(buf);
    } catch (err) {
      throw new StoreError('CORRUPT_RECORD', `session ${sessionId}: catalog record cannot be decoded`, {
        sessionId,
        cause: err,
      });
    }
  }

  /** Range-deletes the session's data if its delete committed but the purge has not finished. Call locked. */
  private async finishPurge(sessionId: string): Promise<void> {
    if (!this.purging.has(sessionId)) return;
    try {
      await this.db.clear(sessionRange(sessionPrefix(sessionId)));
    } catch (err) {
      throw toStoreError(err, `delete session ${sessionId}`, sessionId);
    }
    await this.commit.enqueue(sessionId, [{ type: 'del', key: tombstoneKey(sessionId) }]);
    this.purging.delete(sessionId);
  }

  private async finishInterruptedDeletes(): Promise<void> {
    const keys = await this.db.keys(tombstoneRange()).all();
    for (const key of keys) {
      const id = sessionIdOfTombstone(key);
      this.purging.add(id);
      await this.finishPurge(id);
    }
  }

  private async checkFormat(path: string): Promise<void> {
    const format = await this.db.get(FORMAT_KEY);
    if (format === undefined) {
      await this.db.put(FORMAT_KEY, Buffer.from(FORMAT_VERSION), { sync: true });
    } else if (format.toString() !== FORMAT_VERSION) {
      throw new StoreError(
        'IO',
        `${path} has store format ${format.toString()}, this version reads ${FORMAT_VERSION}`,
      );
    }
  }

  /** Index entries of a session whose catalog is unreadable (rare path: scans both indexes). */
  private async findIndexKeys(sessionId: string): Promise<Buffer[]> {
    const found: Buffer[] = [];
    for (const space of [UPDATED_INDEX_PREFIX, Buffer.from([0x6d, 0])]) {
      for (const key of await this.db.keys(prefixRange(space)).all()) {
        if (sessionIdOfIndexKey(key) === sessionId) found.push(key);
      }
    }
    return found;
  }

  /** Unfiltered: walks the newest-first index from the cursor, reading only the page. */
  private async listNewestFirst(opts: ListSessionsOptions, snapshot: LevelSnapshot): Promise<SessionPage> {
    const { limit = DEFAULT_LIMIT, offset = 0, cursor } = opts;
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
    const keys = await this.db.keys(bounds).all();
    const page = keys.slice(offset, offset + limit);
    const ids = page.map(sessionIdOfIndexKey);
    const records = await this.readCatalogs(ids, snapshot);
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
   * Filtered: reads the catalog of every session having the pair (the metadata index is not time-ordered,
   * see keys.ts), orders them newest first and cuts the page. Cost grows with the sessions that match.
   */
  private async listFiltered(
    opts: ListSessionsOptions,
    filter: { key: string; value: string },
    snapshot: LevelSnapshot,
  ): Promise<SessionPage> {
    const keys = await this.db
      .keys({ ...prefixRange(metadataIndexPrefix(filter.key, filter.value)), snapshot })
      .all();
    const ids = keys.map(sessionIdOfIndexKey);
    const records = await this.readCatalogs(ids, snapshot);
    const entries: Array<{ id: string; rec: CatalogRecord; suffix: Buffer }> = [];
    records.forEach((rec, i) => {
      if (rec !== undefined && rec.metadata[filter.key] === filter.value) {
        entries.push({ id: ids[i]!, rec, suffix: listingSuffix(rec.updatedAt, ids[i]!) });
      }
    });
    const { page, nextCursor } = paginate(entries.sort(byPosition), opts, DEFAULT_LIMIT);
    return { sessions: page.map((e) => toSummary(e.id, e.rec)), nextCursor };
  }

  private async readCatalogs(
    ids: string[],
    snapshot: LevelSnapshot,
  ): Promise<Array<CatalogRecord | undefined>> {
    if (ids.length === 0) return [];
    const values = await this.db.getMany(
      ids.map((id) => catalogKey(sessionPrefix(id))),
      { snapshot },
    );
    return Promise.all(
      values.map((buf, i) => {
        if (buf === undefined) return undefined;
        const id = ids[i]!;
        return this.currentCatalog(id, sessionPrefix(id), this.decodeCatalogOf(id, buf), snapshot);
      }),
    );
  }
}

const EMPTY = Buffer.alloc(0);

function noop(): void {}

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

function openError(path: string, err: unknown): StoreError {
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  if (cause?.code === 'LEVEL_LOCKED') {
    return new StoreError('LOCKED', `cannot open ${path}: it is held by another open store (LevelDB lock)`, {
      cause: err,
    });
  }
  return toStoreError(err, `open ${path}`);
}
