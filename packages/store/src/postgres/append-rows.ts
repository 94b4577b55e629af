import type { SessionConfig, SessionEvent } from '@shoal/shared';
import { applyEventsToCatalog, type CatalogRecord, catalogTime } from '../catalog.js';
import { unencodableEvent } from '../event-codec.js';

/**
 * What an append changes in its session's row, computed from its events alone (spec §9.3), so the statement can
 * apply it to whatever the row holds when it commits: the store keeps no per-session state of its own, and
 * several stores (processes) can write one database.
 */
export interface CatalogDelta {
  /** Catalog time of the append (whole seconds); `updated_at` moves to it when `touched`. */
  at: number;
  touched: boolean;
  messages: number;
  /** JSON-encoded model name, or null for "unchanged". */
  lastModel: string | null;
  /** A config event was seen: `title` (JSON-encoded, null = none) and `config` replace the stored ones. */
  hasConfig: boolean;
  title: string | null;
  config: string | null;
  /** SessionCreated metadata, as a JSON object merged under the stored metadata (stored keys win); or null. */
  metaExtra: string | null;
}

const NEUTRAL: CatalogRecord = Object.freeze({
  createdAt: 0,
  updatedAt: 0,
  messageCount: 0,
  metadata: Object.freeze({}) as Record<string, string>,
});

export function catalogDelta(events: readonly SessionEvent[], now: number): CatalogDelta {
  const at = catalogTime(now);
  // Replaying the events onto an empty record gives exactly the changes they make to any record: counts add,
  // the last model and the last config win, SessionCreated metadata only adds keys the record lacks.
  const { record, config } = applyEventsToCatalog(NEUTRAL, events, Math.max(at, 1000));
  const extra = record.metadata;
  return {
    at,
    touched: record.updatedAt !== 0,
    messages: record.messageCount,
    lastModel: record.lastModel === undefined ? null : JSON.stringify(record.lastModel),
    hasConfig: config !== undefined,
    title: config?.title === undefined ? null : JSON.stringify(config.title),
    config: config === undefined ? null : JSON.stringify(config),
    metaExtra: extra === NEUTRAL.metadata || Object.keys(extra).length === 0 ? null : JSON.stringify(extra),
  };
}

/** Events as stored: their JSON text (PostgreSQL text cannot hold NUL; JSON escapes it). */
export function encodeEventTexts(sessionId: string, events: readonly SessionEvent[]): string[] {
  const out = new Array<string>(events.length);
  for (let i = 0; i < events.length; i++) {
    let text: string | undefined;
    try {
      text = JSON.stringify(events[i]);
    } catch (err) {
      throw unencodableEvent(sessionId, i, err);
    }
    if (text === undefined) throw unencodableEvent(sessionId, i, new TypeError('not representable as JSON'));
    out[i] = text;
  }
  return out;
}

/** The create statement's parameters: the session row (catalog counting the initial events) and the events. */
export function createParams(
  sessionId: string,
  rec: CatalogRecord,
  config: SessionConfig | undefined,
  bodies: string[],
): unknown[] {
  return [
    sessionId,
    bodies.length,
    rec.createdAt,
    rec.updatedAt,
    rec.messageCount,
    rec.lastModel === undefined ? null : JSON.stringify(rec.lastModel),
    rec.title === undefined ? null : JSON.stringify(rec.title),
    JSON.stringify(rec.metadata),
    config === undefined ? null : JSON.stringify(config),
    bodies,
  ];
}

/** One append waiting in the write queue. */
export interface QueuedAppend {
  sessionId: string;
  expected: number | null;
  bodies: string[];
  delta: CatalogDelta;
  /** The extra fence's value for this session, or null when the store has none. */
  fence: string | null;
  resolve(seqs: number[]): void;
  reject(err: unknown): void;
}

/** The append statement's parameters for a batch (at most one append per session): one array per column. */
export function appendParams(batch: readonly QueuedAppend[], withFence: boolean): unknown[] {
  const n = batch.length;
  const idx = new Array<number>(n);
  const id = new Array<string>(n);
  const expected = new Array<number | null>(n);
  const count = new Array<number>(n);
  const at = new Array<number>(n);
  const touched = new Array<boolean>(n);
  const msgs = new Array<number>(n);
  const lastModel = new Array<string | null>(n);
  const hasConfig = new Array<boolean>(n);
  const title = new Array<string | null>(n);
  const metaExtra = new Array<string | null>(n);
  const config = new Array<string | null>(n);
  const fence = withFence ? new Array<string | null>(n) : [];
  let events = 0;
  for (const a of batch) events += a.bodies.length;
  const evIdx = new Array<number>(events);
  const evK = new Array<number>(events);
  const evBody = new Array<string>(events);
  let e = 0;
  for (let i = 0; i < n; i++) {
    const a = batch[i]!;
    const d = a.delta;
    idx[i] = i;
    id[i] = a.sessionId;
    expected[i] = a.expected;
    count[i] = a.bodies.length;
    at[i] = d.at;
    touched[i] = d.touched;
    msgs[i] = d.messages;
    lastModel[i] = d.lastModel;
    hasConfig[i] = d.hasConfig;
    title[i] = d.title;
    metaExtra[i] = d.metaExtra;
    config[i] = d.config;
    if (withFence) fence[i] = a.fence;
    for (let k = 0; k < a.bodies.length; k++, e++) {
      evIdx[e] = i;
      evK[e] = k;
      evBody[e] = a.bodies[k]!;
    }
  }
  // Same order as APPEND_COLUMNS, then the three event arrays.
  return [
    idx,
    id,
    expected,
    count,
    at,
    touched,
    msgs,
    lastModel,
    hasConfig,
    title,
    metaExtra,
    config,
    fence,
    evIdx,
    evK,
    evBody,
  ];
}
