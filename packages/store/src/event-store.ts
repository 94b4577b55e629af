import type { SessionConfig, SessionEvent, StoredEvent } from '@shoal/shared';
import type { SessionSummary } from './catalog.js';

export type { StoredEvent } from '@shoal/shared';

export interface AppendOptions {
  /** Reject with SEQUENCE_CONFLICT (writing nothing) unless this is the session's next sequence number. */
  expectedNextSeq?: number;
}

export interface LoadOptions {
  /** At most this many events (the lowest sequence numbers first). */
  limit?: number;
}

/** The api.md contract (`@shoal/store`), spec §9.1. */
export interface EventStore {
  /**
   * Registers a session; an existing id fails with SESSION_ALREADY_EXISTS. `initialEvents` (e.g. its
   * `SessionCreated`) are stored at seq 0.. in the same atomic write as the registration and its catalog
   * record, so a crash leaves either the whole session or nothing. They are validated like an append's
   * (INVALID_EVENT, nothing written).
   */
  createSession(
    sessionId: string,
    meta?: Record<string, string>,
    initialEvents?: SessionEvent[],
  ): Promise<void>;
  /**
   * Appends all `events` atomically (all or none) and returns their sequence numbers, contiguous from the
   * session's next one. Unknown session → SESSION_NOT_FOUND; `expectedNextSeq` mismatch → SEQUENCE_CONFLICT;
   * an event failing the SessionEvent schema → INVALID_EVENT. Nothing is written in any of those cases.
   */
  append(sessionId: string, events: SessionEvent[], opts?: AppendOptions): Promise<number[]>;
  /** All events in ascending seq order; unknown id → []. */
  loadEvents(sessionId: string): Promise<StoredEvent[]>;
  /** Events with `seq > afterSeq` (exclusive; -1 means from the first), ascending. Unknown id → []. */
  loadEventsAfter(sessionId: string, afterSeq: number, opts?: LoadOptions): Promise<StoredEvent[]>;
  /** Highest stored seq, or null when the session has no events (or does not exist). */
  latestSequence(sessionId: string): Promise<number | null>;
  sessionExists(sessionId: string): Promise<boolean>;
  /** Removes events, snapshots and catalog entry; unknown id → ok. */
  deleteSession(sessionId: string): Promise<void>;
  /** All session ids, most recently updated first. */
  listSessionIds(): Promise<string[]>;
  /** Waits for accepted writes, then closes; later calls fail with CLOSED. Idempotent. */
  close(): Promise<void>;
}

export interface ListSessionsOptions {
  /** Page size; default 100 (spec §9.2, SQLite default). */
  limit?: number;
  /** Skip this many matching sessions first (spec §9.1). Prefer `cursor` for deep paging. */
  offset?: number;
  /** `nextCursor` of the previous page: continue after its last session. */
  cursor?: string;
  /** Only sessions whose metadata has this exact key/value pair (e.g. `{ key: 'tenant', value: 'acme' }`). */
  metadataFilter?: { key: string; value: string };
}

export interface SessionPage {
  /** Newest-updated first (ties by id). */
  sessions: SessionSummary[];
  /** Pass as `cursor` to get the next page; null when this page is the last. */
  nextCursor: string | null;
}

export interface EncodedSnapshot {
  seq: number;
  encoded: Uint8Array;
}

export interface StoredSnapshot {
  seq: number;
  snapshot: unknown;
}

/** The catalog of spec §9.1/§9.3, kept current by `append` in the same atomic write as the events. */
export interface CatalogStore {
  getSessionSummary(sessionId: string): Promise<SessionSummary | null>;
  /** The last config recorded by SessionCreated / SessionConfigUpdated, or null. */
  getSessionConfig(sessionId: string): Promise<SessionConfig | null>;
  listSessions(opts?: ListSessionsOptions): Promise<SessionPage>;
}

/** Snapshots let a long session resume from `snapshot` plus the events after `seq`. */
export interface SnapshotStore {
  /**
   * Stores a structured-cloneable value describing the session state after event `seq` (which must exist).
   * Saving prunes snapshots with a lower seq; snapshots are deleted with the session.
   */
  saveSnapshot(sessionId: string, seq: number, snapshot: unknown): Promise<void>;
  /** The snapshot with the highest seq, or null. */
  loadLatestSnapshot(sessionId: string): Promise<StoredSnapshot | null>;
  /** The same, still encoded (decode with `decodeSnapshot`), for decoding on another thread. */
  loadLatestSnapshotEncoded(sessionId: string): Promise<EncodedSnapshot | null>;
}

/** Everything both stores implement: the api.md contract plus catalog and snapshots. */
export interface SessionStore extends EventStore, CatalogStore, SnapshotStore {}

export type Durability = 'fsync' | 'buffered';
