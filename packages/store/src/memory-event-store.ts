import type { SessionConfig, SessionEvent, StoredEvent } from '@shoal/shared';
import {
  applyEventsToCatalog,
  type CatalogRecord,
  newCatalogRecord,
  type SessionSummary,
  toSummary,
} from './catalog.js';
import { decodeAny, encodeJson } from './codec.js';
import {
  closedError,
  invalidArgument,
  sequenceConflict,
  sessionAlreadyExists,
  sessionNotFound,
} from './errors.js';
import { decodeStoredEvent } from './event-codec.js';
import type {
  AppendOptions,
  EncodedSnapshot,
  ListSessionsOptions,
  LoadOptions,
  SessionPage,
  SessionStore,
  StoredSnapshot,
} from './event-store.js';
import { checkLoadArgs, checkSeq, checkSessionId, listingSuffix } from './keys.js';
import { byPosition, checkListOptions, paginate } from './listing.js';
import { encodeSnapshot } from './snapshot-codec.js';
import { defaultEventValidator, type EventValidator, prepareAppend, prepareCreate } from './validate.js';

export interface MemoryEventStoreOptions {
  /** Checks each appended event; default `SessionEventSchema.parse` from `@shoal/shared`. */
  validateEvent?: EventValidator;
  /** Clock for catalog times (ms since epoch); default `Date.now`. */
  now?: () => number;
}

interface MemorySession {
  catalog: CatalogRecord;
  /** Encoded exactly as the LevelDB store encodes them, so both stores return the same values. */
  events: Buffer[];
  config: Buffer | undefined;
  snapshot: { seq: number; value: Buffer } | undefined;
}

/**
 * In-process store for tests and `store: 'memory'`. Same contract and semantics as LevelEventStore (one
 * conformance suite), which deliberately differs from the reference in-memory store of spec §9.2: creating an
 * existing session fails and appending to an unknown one fails, as in the durable store.
 */
export class MemoryEventStore implements SessionStore {
  private readonly sessions = new Map<string, MemorySession>();
  private readonly validate: EventValidator;
  private readonly now: () => number;
  private closed = false;

  constructor(opts: MemoryEventStoreOptions = {}) {
    this.validate = opts.validateEvent ?? defaultEventValidator;
    this.now = opts.now ?? Date.now;
  }

  async createSession(
    sessionId: string,
    meta?: Record<string, string>,
    initialEvents?: SessionEvent[],
  ): Promise<void> {
    this.assertOpen();
    const initial = prepareCreate(sessionId, meta, initialEvents, this.validate);
    if (this.sessions.has(sessionId)) throw sessionAlreadyExists(sessionId);
    const now = this.now();
    const update = applyEventsToCatalog(newCatalogRecord(now, initial.metadata), initial.valid, now);
    this.sessions.set(sessionId, {
      catalog: update.record,
      events: initial.values,
      config: update.config === undefined ? undefined : encodeJson(update.config),
      snapshot: undefined,
    });
  }

  async append(sessionId: string, events: SessionEvent[], opts?: AppendOptions): Promise<number[]> {
    this.assertOpen();
    const { valid, values, expected } = prepareAppend(sessionId, events, opts, this.validate);
    const s = this.sessions.get(sessionId);
    if (s === undefined) throw sessionNotFound(sessionId);
    const first = s.events.length;
    if (expected !== undefined && expected !== first) throw sequenceConflict(sessionId, expected, first);
    if (valid.length === 0) return [];
    const update = applyEventsToCatalog(s.catalog, valid, this.now());
    s.catalog = update.record;
    if (update.config !== undefined) s.config = encodeJson(update.config);
    for (const v of values) s.events.push(v);
    return values.map((_, i) => first + i);
  }

  loadEvents(sessionId: string): Promise<StoredEvent[]> {
    return this.loadEventsAfter(sessionId, -1);
  }

  async loadEventsAfter(sessionId: string, afterSeq: number, opts?: LoadOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    const limit = checkLoadArgs(sessionId, afterSeq, opts?.limit);
    const s = this.sessions.get(sessionId);
    if (s === undefined) return [];
    const end = limit === undefined ? s.events.length : Math.min(s.events.length, afterSeq + 1 + limit);
    const out: StoredEvent[] = [];
    for (let seq = afterSeq + 1; seq < end; seq++) {
      out.push({ seq, event: decodeStoredEvent(sessionId, seq, s.events[seq]!) });
    }
    return out;
  }

  async latestSequence(sessionId: string): Promise<number | null> {
    this.assertOpen();
    checkSessionId(sessionId);
    const n = this.sessions.get(sessionId)?.events.length ?? 0;
    return n === 0 ? null : n - 1;
  }

  async sessionExists(sessionId: string): Promise<boolean> {
    this.assertOpen();
    checkSessionId(sessionId);
    return this.sessions.has(sessionId);
  }

  async deleteSession(sessionId: string): Promise<void> {
    this.assertOpen();
    checkSessionId(sessionId);
    this.sessions.delete(sessionId);
  }

  async listSessionIds(): Promise<string[]> {
    this.assertOpen();
    return this.ordered().map((e) => e.id);
  }

  async getSessionSummary(sessionId: string): Promise<SessionSummary | null> {
    this.assertOpen();
    checkSessionId(sessionId);
    const s = this.sessions.get(sessionId);
    return s === undefined ? null : toSummary(sessionId, s.catalog);
  }

  async getSessionConfig(sessionId: string): Promise<SessionConfig | null> {
    this.assertOpen();
    checkSessionId(sessionId);
    const config = this.sessions.get(sessionId)?.config;
    return config === undefined ? null : (decodeAny(config) as SessionConfig);
  }

  async listSessions(opts: ListSessionsOptions = {}): Promise<SessionPage> {
    this.assertOpen();
    checkListOptions(opts);
    const f = opts.metadataFilter;
    let entries = this.ordered();
    if (f !== undefined) entries = entries.filter((e) => e.session.catalog.metadata[f.key] === f.value);
    const { page, nextCursor } = paginate(entries, opts);
    return { sessions: page.map((e) => toSummary(e.id, e.session.catalog)), nextCursor };
  }

  async saveSnapshot(sessionId: string, seq: number, snapshot: unknown): Promise<void> {
    this.assertOpen();
    checkSessionId(sessionId);
    checkSeq('seq', seq, 0);
    const value = encodeSnapshot(sessionId, snapshot);
    const s = this.sessions.get(sessionId);
    if (s === undefined) throw sessionNotFound(sessionId);
    if (seq >= s.events.length) {
      throw invalidArgument(`session ${sessionId}: snapshot seq ${seq} is beyond the last event`, sessionId);
    }
    // Same rule as the LevelDB store: the highest seq is the latest; lower ones are pruned.
    if (s.snapshot === undefined || s.snapshot.seq <= seq) s.snapshot = { seq, value };
  }

  async loadLatestSnapshot(sessionId: string): Promise<StoredSnapshot | null> {
    this.assertOpen();
    checkSessionId(sessionId);
    const snap = this.sessions.get(sessionId)?.snapshot;
    return snap === undefined ? null : { seq: snap.seq, snapshot: decodeAny(snap.value) };
  }

  async loadLatestSnapshotEncoded(sessionId: string): Promise<EncodedSnapshot | null> {
    this.assertOpen();
    checkSessionId(sessionId);
    const snap = this.sessions.get(sessionId)?.snapshot;
    return snap === undefined ? null : { seq: snap.seq, encoded: new Uint8Array(snap.value) };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw closedError();
  }

  /** Sessions in the LevelDB listing-index order: by `<inv(updatedAt)><utf8 id>` bytes, newest first. */
  private ordered(): Array<{ id: string; session: MemorySession; suffix: Buffer }> {
    const all = [...this.sessions].map(([id, session]) => ({
      id,
      session,
      suffix: listingSuffix(session.catalog.updatedAt, id),
    }));
    return all.sort(byPosition);
  }
}
