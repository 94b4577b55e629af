import { displayModelId, type SessionConfig, type SessionEvent } from '@shoal/shared';
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
  return { createdAt: t, updatedAt: t, messageCount: 0, metadata };
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
        if (extra.length > 0) metadata = { ...Object.fromEntries(extra), ...current };
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
        lastModel = displayModelId(ev.model);
        break;
      case 'ToolCallStarted':
      case 'ToolCallCompleted':
      case 'ToolCallFailed':
      case 'LlmUsageUpdated':
        touched = true;
        lastModel = displayModelId(ev.model);
        break;
      case 'ConversationCompacted':
        touched = true;
        lastModel = ev.record.model;
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
 * Same format as `encodeJson(rec)` (format byte + JSON, keys in a fixed order), built by hand: the catalog is
 * re-encoded on every append, and a generic JSON.stringify of it cost nearly as much as encoding the event.
 */
export function encodeCatalog(rec: CatalogRecord): Buffer {
  let meta = metadataJson.get(rec.metadata);
  if (meta === undefined) {
    meta = JSON.stringify(rec.metadata);
    metadataJson.set(rec.metadata, meta);
  }
  // Numbers are finite integers by construction (times from catalogTime, counts from += 1).
  let text = `\x01{"createdAt":${rec.createdAt},"updatedAt":${rec.updatedAt},"messageCount":${rec.messageCount}`;
  if (rec.lastModel !== undefined) text += `,"lastModel":${JSON.stringify(rec.lastModel)}`;
  if (rec.title !== undefined) text += `,"title":${JSON.stringify(rec.title)}`;
  return Buffer.from(`${text},"metadata":${meta}}`, 'utf8');
}

/** Decodes a stored catalog record; throws TypeError when it does not have the expected shape. */
export function decodeCatalog(buf: Buffer): CatalogRecord {
  const v = decodeJson(buf) as Partial<CatalogRecord> | null;
  if (
    v === null ||
    typeof v !== 'object' ||
    typeof v.createdAt !== 'number' ||
    typeof v.updatedAt !== 'number' ||
    typeof v.messageCount !== 'number' ||
    v.metadata === null ||
    typeof v.metadata !== 'object'
  ) {
    throw new TypeError('catalog record has an unexpected shape');
  }
  return v as CatalogRecord;
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
