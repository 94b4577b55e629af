export type { CatalogRecord, SessionSummary } from './catalog.js';
export { isStoreError, StoreError, type StoreErrorCode, type StoreErrorDetails } from './errors.js';
export type {
  AppendOptions,
  CatalogStore,
  Durability,
  EncodedSnapshot,
  EventStore,
  ListSessionsOptions,
  LoadOptions,
  SessionPage,
  SessionStore,
  SnapshotStore,
  StoredEvent,
  StoredSnapshot,
} from './event-store.js';
export type { GroupCommitStats } from './group-commit.js';
export { LevelEventStore } from './level-event-store.js';
export { DEFAULT_MAX_CACHED_SESSIONS, type LevelEventStoreOptions } from './level-store-options.js';
export { MemoryEventStore, type MemoryEventStoreOptions } from './memory-event-store.js';
export {
  PostgresEventStore,
  type PostgresEventStoreOptions,
} from './postgres/postgres-event-store.js';
export type { AppendFence } from './postgres/statements.js';
export { decodeSnapshot } from './snapshot-codec.js';
export { defaultEventValidator, type EventValidator } from './validate.js';
