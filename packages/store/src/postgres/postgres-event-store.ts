import type { SessionConfig, SessionEvent, StoredEvent } from '@shoal/shared';
import { applyEventsToCatalog, newCatalogRecord, type SessionSummary } from '../catalog.js';
import { closedError, invalidArgument, sessionAlreadyExists, sessionNotFound } from '../errors.js';
import type {
  AppendOptions,
  EncodedSnapshot,
  ListSessionsOptions,
  LoadOptions,
  SessionPage,
  SessionStore,
  StoredSnapshot,
} from '../event-store.js';
import { checkLoadArgs, checkSeq, checkSessionId } from '../keys.js';
import { checkListOptions, DEFAULT_PAGE_LIMIT } from '../listing.js';
import { decodeSnapshot, encodeSnapshot } from '../snapshot-codec.js';
import { defaultEventValidator, type EventValidator, prepareAppend, prepareCreate } from '../validate.js';
import { writeAppendBatch } from './append-batch.js';
import { catalogDelta, createParams, encodeEventTexts } from './append-rows.js';
import { PgDatabase } from './pg-database.js';
import { pgStoreError } from './pg-errors.js';
import {
  cursorPosition,
  decodeConfig,
  decodeEventRow,
  pageCursor,
  type SummaryRow,
  toSummaryRow,
} from './rows.js';
import { isPlainIdentifier, migrate, quoteIdent } from './schema.js';
import { type AppendFence, buildStatements, type Statements } from './statements.js';
import { WriteQueue, type WriteQueueStats } from './write-queue.js';

export interface PostgresEventStoreOptions {
  /** Connections in the pool (one runs the write queue's statement, the others serve reads); default 4. */
  poolSize?: number;
  /** The PostgreSQL schema holding the store's tables (created if missing); default `shoal`. */
  schema?: string;
  /** Checks each appended event; default `SessionEventSchema.parse` from `@shoal/shared`. */
  validateEvent?: EventValidator;
  /** Clock for catalog times (ms since epoch); default `Date.now`. Injected by tests. */
  now?: () => number;
  /** An extra condition every append must meet, checked in the append statement itself (README "Fences"). */
  appendFence?: AppendFence;
  /** Called when an idle pooled connection fails (e.g. the server restarted); the pool replaces it. */
  onConnectionError?: (err: Error) => void;
  /** Milliseconds to wait for a connection before an operation fails with IO; default 10,000. */
  connectTimeoutMs?: number;
}

const DEFAULT_POOL_SIZE = 4;
/**
 * A wave of this many appends queued in one turn starts its first statement at once, so the server executes it
 * while the rest of the wave is validated and encoded (README "Group commit").
 */
const SPLIT_AT = 500;

/**
 * The event store on PostgreSQL: one row per session (the `next_seq` fence and the catalog), one row per event
 * keyed by `(session_id, seq)`, group commit of each event-loop turn's appends into one statement. Keeps no
 * per-session state in memory, so several stores (processes) may share one database: the fence in the append
 * statement decides. Layout, fence and durability: README "PostgreSQL store".
 */
export class PostgresEventStore implements SessionStore {
  private readonly queue: WriteQueue;
  private closed = false;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly db: PgDatabase,
    private readonly sql: Statements,
    private readonly validate: EventValidator,
    private readonly now: () => number,
    private readonly fence: AppendFence | undefined,
    poolSize: number,
  ) {
    // Two statements in flight (on disjoint sessions) when the pool leaves a connection for reads.
    this.queue = new WriteQueue((batch) => writeAppendBatch(db, sql, fence, batch), {
      maxInFlight: Math.max(1, Math.min(2, poolSize - 1)),
      splitAt: SPLIT_AT,
    });
  }

  /** Connects, creates or migrates the schema (versioned, idempotent), and returns the open store. */
  static async open(
    connectionString: string,
    opts: PostgresEventStoreOptions = {},
  ): Promise<PostgresEventStore> {
    if (typeof connectionString !== 'string' || connectionString.length === 0) {
      throw invalidArgument('connectionString must be a non-empty string');
    }
    const poolSize = opts.poolSize ?? DEFAULT_POOL_SIZE;
    if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 100) {
      throw invalidArgument(`poolSize must be an integer from 1 to 100, got ${String(poolSize)}`);
    }
    const schema = opts.schema ?? 'shoal';
    if (!isPlainIdentifier(schema)) {
      throw invalidArgument(`schema must be a plain lower-case identifier, got ${JSON.stringify(schema)}`);
    }
    const db = new PgDatabase(connectionString, {
      poolSize,
      connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
      ...(opts.onConnectionError === undefined ? {} : { onConnectionError: opts.onConnectionError }),
    });
    try {
      const client = await db.pool.connect();
      try {
        await migrate(client, schema);
      } finally {
        client.release();
      }
    } catch (err) {
      await db.end().catch(() => undefined); // the open error is what the caller needs
      throw pgStoreError(err, `open the PostgreSQL store (schema ${schema})`);
    }
    return new PostgresEventStore(
      db,
      buildStatements(quoteIdent(schema), opts.appendFence),
      opts.validateEvent ?? defaultEventValidator,
      opts.now ?? Date.now,
      opts.appendFence,
      poolSize,
    );
  }

  /** Append statements written so far and the appends they carried (group-commit effectiveness). */
  get writeStats(): Readonly<WriteQueueStats> {
    return this.queue.stats;
  }

  async createSession(
    sessionId: string,
    meta?: Record<string, string>,
    initialEvents?: SessionEvent[],
  ): Promise<void> {
    this.assertOpen();
    const { metadata, valid, values } = prepareCreate(
      sessionId,
      meta,
      initialEvents,
      this.validate,
      encodeEventTexts,
    );
    const now = this.now();
    const { record, config } = applyEventsToCatalog(newCatalogRecord(now, metadata), valid, now);
    const params = createParams(sessionId, record, config, values);
    const res = await this.runTask(sessionId, () =>
      this.db.write(`create session ${sessionId}`, sessionId, this.sql.create, params),
    );
    if (res.rowCount === 0) throw sessionAlreadyExists(sessionId);
  }

  append(sessionId: string, events: SessionEvent[], opts?: AppendOptions): Promise<number[]> {
    try {
      this.assertOpen();
      const {
        valid,
        values: bodies,
        expected,
      } = prepareAppend(sessionId, events, opts, this.validate, encodeEventTexts);
      const delta = catalogDelta(valid, this.now());
      const fence = this.fence === undefined ? null : this.fence.valueFor(sessionId);
      return new Promise<number[]>((resolve, reject) => {
        this.queue.append({ sessionId, expected: expected ?? null, bodies, delta, fence, resolve, reject });
      });
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
    if (limit === 0) return [];
    const res = await this.db.read<{ seq: number; body: string }>(
      `read events of session ${sessionId}`,
      sessionId,
      this.sql.loadEvents,
      [sessionId, afterSeq, limit ?? null],
    );
    return res.rows.map((row) => decodeEventRow(sessionId, row));
  }

  async latestSequence(sessionId: string): Promise<number | null> {
    const next = await this.nextSeqOf(sessionId);
    return next === null || next === 0 ? null : next - 1;
  }

  async sessionExists(sessionId: string): Promise<boolean> {
    return (await this.nextSeqOf(sessionId)) !== null;
  }

  async deleteSession(sessionId: string): Promise<void> {
    this.assertOpen();
    checkSessionId(sessionId);
    await this.runTask(sessionId, () =>
      this.db.transaction(`delete session ${sessionId}`, sessionId, async (client) => {
        for (const statement of this.sql.deleteSession) await client.query(statement, [sessionId]);
      }),
    );
  }

  async listSessionIds(): Promise<string[]> {
    this.assertOpen();
    const res = await this.db.read<{ id: string }>('list sessions', undefined, this.sql.listIds, []);
    return res.rows.map((r) => r.id);
  }

  async getSessionSummary(sessionId: string): Promise<SessionSummary | null> {
    this.assertOpen();
    checkSessionId(sessionId);
    const res = await this.db.read<SummaryRow>(`read session ${sessionId}`, sessionId, this.sql.summary, [
      sessionId,
    ]);
    const row = res.rows[0];
    return row === undefined ? null : toSummaryRow(row);
  }

  async getSessionConfig(sessionId: string): Promise<SessionConfig | null> {
    this.assertOpen();
    checkSessionId(sessionId);
    const res = await this.db.read<{ config: string | null }>(
      `read session ${sessionId}`,
      sessionId,
      this.sql.config,
      [sessionId],
    );
    const text = res.rows[0]?.config;
    return text === undefined || text === null ? null : decodeConfig(sessionId, text);
  }

  async listSessions(opts: ListSessionsOptions = {}): Promise<SessionPage> {
    this.assertOpen();
    checkListOptions(opts);
    const { limit = DEFAULT_PAGE_LIMIT, offset = 0, cursor, metadataFilter } = opts;
    const after = cursor === undefined ? null : cursorPosition(cursor);
    const filter =
      metadataFilter === undefined ? null : JSON.stringify({ [metadataFilter.key]: metadataFilter.value });
    // One row more than the page tells whether there is a next one.
    const res = await this.db.read<SummaryRow>('list sessions', undefined, this.sql.listPage, [
      after?.updatedAt ?? null,
      after?.id ?? null,
      filter,
      offset,
      limit + 1,
    ]);
    const rows = res.rows.slice(0, limit);
    const last = rows[rows.length - 1];
    return {
      sessions: rows.map(toSummaryRow),
      nextCursor: res.rows.length > limit && last !== undefined ? pageCursor(last) : null,
    };
  }

  async saveSnapshot(sessionId: string, seq: number, snapshot: unknown): Promise<void> {
    this.assertOpen();
    checkSessionId(sessionId);
    checkSeq('seq', seq, 0);
    const data = encodeSnapshot(sessionId, snapshot);
    await this.runTask(sessionId, async () => {
      const res = await this.db.write<{ next_seq: number | null; saved: number }>(
        `save snapshot of session ${sessionId}`,
        sessionId,
        this.sql.saveSnapshot,
        [sessionId, seq, data],
      );
      const row = res.rows[0];
      if (row === undefined || row.next_seq === null) throw sessionNotFound(sessionId);
      if (row.saved === 0) {
        throw invalidArgument(
          `session ${sessionId}: snapshot seq ${seq} is beyond the last event`,
          sessionId,
        );
      }
      // Older snapshots are no longer needed; losing this prune to a crash only costs space.
      await this.db.write(`prune snapshots of session ${sessionId}`, sessionId, this.sql.pruneSnapshots, [
        sessionId,
        seq,
      ]);
    });
  }

  async loadLatestSnapshot(sessionId: string): Promise<StoredSnapshot | null> {
    const encoded = await this.loadLatestSnapshotEncoded(sessionId);
    return encoded === null ? null : { seq: encoded.seq, snapshot: decodeSnapshot(sessionId, encoded) };
  }

  async loadLatestSnapshotEncoded(sessionId: string): Promise<EncodedSnapshot | null> {
    this.assertOpen();
    checkSessionId(sessionId);
    const res = await this.db.read<{ seq: number; data: Buffer }>(
      `read snapshot of session ${sessionId}`,
      sessionId,
      this.sql.latestSnapshot,
      [sessionId],
    );
    const row = res.rows[0];
    return row === undefined ? null : { seq: row.seq, encoded: new Uint8Array(row.data) };
  }

  /** Waits for every accepted write, then closes the pool. Idempotent. */
  close(): Promise<void> {
    if (this.closing === null) {
      this.closed = true;
      this.closing = (async () => {
        await this.queue.whenIdle();
        await this.db.end();
      })();
    }
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closed) throw closedError();
  }

  private async nextSeqOf(sessionId: string): Promise<number | null> {
    this.assertOpen();
    checkSessionId(sessionId);
    const res = await this.db.read<{ next_seq: number }>(
      `read session ${sessionId}`,
      sessionId,
      this.sql.nextSeq,
      [sessionId],
    );
    return res.rows[0]?.next_seq ?? null;
  }

  /** Queues `fn` behind every write accepted so far (call order per store), and settles with its outcome. */
  private runTask<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.task({
        sessionId,
        run: () => fn().then(resolve, reject),
      });
    });
  }
}
