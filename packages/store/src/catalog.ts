import {
  displayModelId,
  internText,
  internValue,
  type ModelId,
  type SessionConfig,
  type SessionEvent,
} from '@shoal/shared';
import { decodeJson } from './codec.js';

/** What the catalog keeps per session (spec §9.1 `getSessionSummary`, plus creation metadata). Times are ms. */
export interface SessionSummary {
  id: string;
  createdAt: number;
  updatedAt: number;
  messageCount: number;
  lastModel?: string;
  title?: string;
  metadata: Record<string, string>;
}

export type CatalogRecord = Omit<SessionSummary, 'id'>;

export interface CatalogUpdate {
  /** The new record, or the same object when nothing changed (then nothing needs writing). */
  record: CatalogRecord;
  /** The last config seen in the batch, if any (SessionCreated / SessionConfigUpdated). */
  config: SessionConfig | undefined;
}

/**
 * Catalog times are ms since the epoch at whole-second resolution: "now" is whole seconds in the spec (and in the
 * reference SQLite timestamps), and it means a busy session re-keys the newest-first index at most once a second
 * instead of on every append (two fewer writes per append, README "Benchmark").
 */
export function catalogTime(nowMs: number): number {
  return Math.floor(nowMs / 1000) * 1000;
}

export function newCatalogRecord(now: number, metadata: Record<string, string>): CatalogRecord {
  const t = catalogTime(now);
  return { createdAt: t, updatedAt: t, messageCount: 0, metadata: internValue(metadata) };
}

/*
 * Interning (memory per cached session): model names and metadata sets repeat across sessions (every
 * session of a tenant has the same `{ tenant }`), so the cache keeps one string / one frozen object per
 * distinct value (`internText` / `internValue` from @shoal/shared) instead of one per session.
 */

/**
 * `displayModelId(model)`, interned; when it equals `current` (the common case: a session keeps its model)
 * `current` itself, found without building the string (the append hot path runs this for most events).
 */
function modelName(current: string | undefined, model: ModelId): string {
  const { provider, id } = model;
  if (
    current !== undefined &&
    current.length === provider.length + 1 + id.length &&
    current.charCodeAt(provider.length) === 0x2f && // '/'
    current.startsWith(provider) &&
    current.endsWith(id)
  ) {
    return current;
  }
  return internText(displayModelId(model));
}

/**
 * spec §9.3: keeps the catalog current for a batch of appended events. Pure: returns a fresh record when a field
 * actually changed, else `prev` itself (then nothing is written: with whole-second times, a tool call of the
 * same model within the same second leaves the record as it was). Follows the durable (SQLite) store for
 * `SessionCreated`: createdAt and the message count are kept, config/title/updatedAt are updated. Metadata
 * carried by `SessionCreated` is added to the catalog's metadata but never overrides a key given to
 * `createSession` (the host's tenant tag wins over user config).
 */
export function applyEventsToCatalog(
  prev: CatalogRecord,
  events: readonly SessionEvent[],
  now: number,
): CatalogUpdate {
  let touched = false; // an event of §9.3 was seen: updatedAt moves to now
  let config: SessionConfig | undefined;
  let messageCount = prev.messageCount;
  let lastModel = prev.lastModel;
  let title = prev.title;
  let metadata = prev.metadata;
  for (const ev of events) {
    switch (ev.type) {
      case 'SessionCreated': {
        touched = true;
        config = ev.config;
        title = ev.config.title;
        const current = metadata;
        const extra = Object.entries(ev.metadata).filter(([k, v]) => !(k in current) && isIndexable(k, v));
        if (extra.length > 0) metadata = internValue({ ...Object.fromEntries(extra), ...current });
        break;
      }
      case 'SessionConfigUpdated':
        touched = true;
        config = ev.config;
        // A config without a title clears the catalog title (spec §9.3).
        title = ev.config.title;
        break;
      case 'UserMessageAdded':
      case 'ToolMessageAdded':
        touched = true;
        messageCount += 1;
        break;
      case 'AssistantMessageAdded':
        touched = true;
        messageCount += 1;
        lastModel = modelName(lastModel, ev.model);
        break;
      case 'ToolCallStarted':
      case 'ToolCallCompleted':
      case 'ToolCallFailed':
      case 'LlmUsageUpdated':
        touched = true;
        lastModel = modelName(lastModel, ev.model);
        break;
      case 'ConversationCompacted':
        touched = true;
        lastModel = internText(ev.record.model);
        break;
      default:
        break;
    }
  }
  // updatedAt never goes backwards, so the newest-first index stays consistent if the clock does.
  const updatedAt = touched ? Math.max(prev.updatedAt, catalogTime(now)) : prev.updatedAt;
  if (
    updatedAt === prev.updatedAt &&
    messageCount === prev.messageCount &&
    lastModel === prev.lastModel &&
    title === prev.title &&
    metadata === prev.metadata
  ) {
    return { record: prev, config };
  }
  const record: CatalogRecord = { createdAt: prev.createdAt, updatedAt, messageCount, metadata };
  if (lastModel !== undefined) record.lastModel = lastModel;
  if (title !== undefined) record.title = title;
  return { record, config };
}

// Metadata pairs become index keys, where NUL is the separator.
function isIndexable(key: string, value: string): boolean {
  return key.length > 0 && !key.includes('\0') && !value.includes('\0');
}

// Metadata objects are shared by every record of a session until the metadata changes, so their JSON is cached.
const metadataJson = new WeakMap<Record<string, string>, string>();

/**
 * How far the stored catalog record may lag behind the log, in events. Appends whose only catalog change is the
 * message count (the common case: a busy session's `updatedAt` moves at most once a second) do not rewrite the
 * record; readers add the events after the record's `seq` (`repairCatalog`). Rewriting it at least every this
 * many events bounds that repair read. Skipping the rewrite saves one catalog op per append (README "Catalog").
 */
export const CATALOG_MAX_LAG = 256;

/** A catalog record as stored, with `seq`: the session's next sequence number when the record was written. */
export interface StoredCatalog {
  record: CatalogRecord;
  /** Events from this seq on are not counted in `record` (undefined: a record that never lags). */
  seq: number | undefined;
}

/**
 * Whether an update changed more than the message count: such a change is written at once (the newest-first
 * index, titles, models and metadata are never stale on disk), a count-only change may wait.
 */
export function catalogNeedsWrite(prev: CatalogRecord, next: CatalogRecord): boolean {
  return (
    next.updatedAt !== prev.updatedAt ||
    next.lastModel !== prev.lastModel ||
    next.title !== prev.title ||
    next.metadata !== prev.metadata
  );
}

/**
 * The current record from a stored one and the events from its `seq` on. Every change other than the count was
 * written when it happened (catalogNeedsWrite), so the tail's touching events all fell in the record's
 * `updatedAt` second: replaying them at that time gives exactly the record the appends computed.
 */
export function repairCatalog(stored: CatalogRecord, tail: readonly SessionEvent[]): CatalogRecord {
  return tail.length === 0 ? stored : applyEventsToCatalog(stored, tail, stored.updatedAt).record;
}

/**
 * Same format as `encodeJson({...rec, seq})` (format byte + JSON, keys in a fixed order), built by hand: the
 * catalog is re-encoded on many appends, and a generic JSON.stringify of it cost nearly as much as encoding the
 * event.
 */
export function encodeCatalog(rec: CatalogRecord, seq: number): Buffer {
  let meta = metadataJson.get(rec.metadata);
  if (meta === undefined) {
    meta = JSON.stringify(rec.metadata);
    metadataJson.set(rec.metadata, meta);
  }
  // Numbers are finite integers by construction (times from catalogTime, counts from += 1, seqs).
  let text = `\x01{"createdAt":${rec.createdAt},"updatedAt":${rec.updatedAt},"messageCount":${rec.messageCount}`;
  if (rec.lastModel !== undefined) text += `,"lastModel":${JSON.stringify(rec.lastModel)}`;
  if (rec.title !== undefined) text += `,"title":${JSON.stringify(rec.title)}`;
  return Buffer.from(`${text},"metadata":${meta},"seq":${seq}}`, 'utf8');
}

/** Decodes a stored catalog record; throws TypeError when it does not have the expected shape. */
export function decodeCatalog(buf: Buffer): StoredCatalog {
  const v = decodeJson(buf) as (Partial<CatalogRecord> & { seq?: unknown }) | null;
  if (
    v === null ||
    typeof v !== 'object' ||
    typeof v.createdAt !== 'number' ||
    typeof v.updatedAt !== 'number' ||
    typeof v.messageCount !== 'number' ||
    v.metadata === null ||
    typeof v.metadata !== 'object' ||
    (v.seq !== undefined && !(Number.isSafeInteger(v.seq) && (v.seq as number) >= 0))
  ) {
    throw new TypeError('catalog record has an unexpected shape');
  }
  const { seq, ...rest } = v;
  const record = rest as CatalogRecord;
  record.metadata = internValue(record.metadata);
  if (typeof record.lastModel === 'string') record.lastModel = internText(record.lastModel);
  return { record, seq: seq as number | undefined };
}

export function toSummary(id: string, rec: CatalogRecord): SessionSummary {
  const s: SessionSummary = {
    id,
    createdAt: rec.createdAt,
    updatedAt: rec.updatedAt,
    messageCount: rec.messageCount,
    metadata: { ...rec.metadata },
  };
  if (rec.lastModel !== undefined) s.lastModel = rec.lastModel;
  if (rec.title !== undefined) s.title = rec.title;
  return s;
}
