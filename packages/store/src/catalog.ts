import { displayModelId, type SessionConfig, type SessionEvent } from '@shoal/shared';
import { decodeJson, encodeJson } from './codec.js';

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

export function newCatalogRecord(now: number, metadata: Record<string, string>): CatalogRecord {
  return { createdAt: now, updatedAt: now, messageCount: 0, metadata };
}

/**
 * spec §9.3: keeps the catalog current for a batch of appended events. Pure: returns a fresh record when
 * something changed. Follows the durable (SQLite) store for `SessionCreated`: createdAt and the message count are
 * kept, config/title/updatedAt are updated. Metadata carried by `SessionCreated` is added to the catalog's
 * metadata but never overrides a key given to `createSession` (the host's tenant tag wins over user config).
 */
export function applyEventsToCatalog(
  prev: CatalogRecord,
  events: readonly SessionEvent[],
  now: number,
): CatalogUpdate {
  let rec: CatalogRecord | undefined;
  let config: SessionConfig | undefined;
  const edit = (): CatalogRecord => {
    rec ??= { ...prev };
    return rec;
  };
  for (const ev of events) {
    switch (ev.type) {
      case 'SessionCreated': {
        const r = edit();
        config = ev.config;
        setTitle(r, ev.config.title);
        const extra = Object.entries(ev.metadata).filter(([k, v]) => !(k in r.metadata) && isIndexable(k, v));
        if (extra.length > 0) r.metadata = { ...Object.fromEntries(extra), ...r.metadata };
        break;
      }
      case 'SessionConfigUpdated':
        config = ev.config;
        // A config without a title clears the catalog title (spec §9.3).
        setTitle(edit(), ev.config.title);
        break;
      case 'UserMessageAdded':
      case 'ToolMessageAdded':
        edit().messageCount += 1;
        break;
      case 'AssistantMessageAdded': {
        const r = edit();
        r.messageCount += 1;
        r.lastModel = displayModelId(ev.model);
        break;
      }
      case 'ToolCallStarted':
      case 'ToolCallCompleted':
      case 'ToolCallFailed':
      case 'LlmUsageUpdated':
        edit().lastModel = displayModelId(ev.model);
        break;
      case 'ConversationCompacted':
        edit().lastModel = ev.record.model;
        break;
      default:
        break;
    }
  }
  if (rec === undefined) return { record: prev, config };
  // updatedAt never goes backwards, so the newest-first index stays consistent if the clock does.
  rec.updatedAt = Math.max(prev.updatedAt, now);
  return { record: rec, config };
}

function setTitle(r: CatalogRecord, title: string | undefined): void {
  if (title === undefined) delete r.title;
  else r.title = title;
}

// Metadata pairs become index keys, where NUL is the separator.
function isIndexable(key: string, value: string): boolean {
  return key.length > 0 && !key.includes('\0') && !value.includes('\0');
}

export function encodeCatalog(rec: CatalogRecord): Buffer {
  return encodeJson(rec);
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
