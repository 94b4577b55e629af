import { describe, expect, it } from 'vitest';
import {
  applyEventsToCatalog,
  type CatalogRecord,
  catalogNeedsWrite,
  decodeCatalog,
  encodeCatalog,
  newCatalogRecord,
  repairCatalog,
} from './catalog.js';
import { encodeJson } from './codec.js';
import {
  assistantMessage,
  OTHER,
  operationStarted,
  sessionCreated,
  userMessage,
} from './test-support/fixtures.js';

describe('catalog maintenance (spec §9.3)', () => {
  it('returns the same record, untouched, when no event concerns the catalog', () => {
    const rec = newCatalogRecord(5, {});
    const update = applyEventsToCatalog(rec, [operationStarted()], 10);
    expect(update.record).toBe(rec);
    expect(update.config).toBeUndefined();
  });

  it('applies a whole batch in order and never mutates the previous record', () => {
    const rec = newCatalogRecord(5_000, { tenant: 'acme' });
    const frozen = structuredClone(rec);
    const update = applyEventsToCatalog(
      rec,
      [
        sessionCreated({ title: 'T', metadata: { tenant: 'x', extra: 'y' } }),
        userMessage('a'),
        assistantMessage('b', OTHER),
      ],
      10_500,
    );
    expect(rec).toEqual(frozen);
    expect(update.record).toEqual({
      createdAt: 5_000,
      updatedAt: 10_000,
      messageCount: 2,
      lastModel: 'anthropic/claude-x',
      title: 'T',
      metadata: { tenant: 'acme', extra: 'y' },
    });
    expect(update.config?.title).toBe('T');
  });

  it('encodes records to the same JSON value as generic JSON.stringify', () => {
    const full = {
      ...newCatalogRecord(1_000, { a: 'b', 'q"': 'x\n' }),
      lastModel: 'p/"m"',
      title: 'Grüße ✓',
    };
    const bare = newCatalogRecord(2_000, {});
    for (const rec of [full, bare, { ...full, messageCount: 7 }]) {
      const buf = encodeCatalog(rec, 42);
      expect(buf[0]).toBe(encodeJson(rec)[0]);
      expect(JSON.parse(buf.toString('utf8', 1))).toEqual({ ...rec, seq: 42 });
    }
  });

  it('round-trips records and rejects malformed ones', () => {
    const rec = { ...newCatalogRecord(1, { a: 'b' }), title: 't' };
    expect(decodeCatalog(encodeCatalog(rec, 7))).toEqual({ record: rec, seq: 7 });
    // A record without seq (never lags) still reads.
    expect(decodeCatalog(encodeJson(rec))).toEqual({ record: rec, seq: undefined });
    expect(() => decodeCatalog(encodeJson({ createdAt: 'yesterday' }))).toThrow(TypeError);
    expect(() => decodeCatalog(encodeJson(null))).toThrow(TypeError);
    for (const seq of [-1, 1.5, '3', null]) {
      expect(() => decodeCatalog(encodeJson({ ...rec, seq }))).toThrow(TypeError);
    }
  });
});

describe('catalog records that lag behind the log', () => {
  it('needs a write for every change except the message count', () => {
    const rec: CatalogRecord = { ...newCatalogRecord(1_000, { a: 'b' }), lastModel: 'm', title: 't' };
    expect(catalogNeedsWrite(rec, rec)).toBe(false);
    expect(catalogNeedsWrite(rec, { ...rec, messageCount: 9 })).toBe(false);
    expect(catalogNeedsWrite(rec, { ...rec, updatedAt: 2_000 })).toBe(true);
    expect(catalogNeedsWrite(rec, { ...rec, lastModel: 'n' })).toBe(true);
    expect(catalogNeedsWrite(rec, { ...rec, title: undefined })).toBe(true);
    expect(catalogNeedsWrite(rec, { ...rec, metadata: { a: 'b' } })).toBe(true);
  });

  it('repairs a record to exactly what the appends computed, when only counts were left unwritten', () => {
    // Appends within one second after a written record: user, tool start, assistant (same model), tool result.
    const t = 5_000;
    let live = applyEventsToCatalog(newCatalogRecord(t, {}), [assistantMessage('a', OTHER)], t).record;
    const written = live;
    const tail = [userMessage('u'), assistantMessage('b', OTHER), operationStarted(), userMessage('v')];
    for (const ev of tail) {
      const next = applyEventsToCatalog(live, [ev], t + 700).record;
      expect(catalogNeedsWrite(live, next)).toBe(false);
      live = next;
    }
    expect(live.messageCount).toBe(4);
    expect(repairCatalog(written, tail)).toEqual(live);
    expect(repairCatalog(written, [])).toBe(written);
  });
});

describe('interned catalog parts (memory per cached session)', () => {
  it('shares one frozen metadata object and one model name per distinct value', () => {
    const a = newCatalogRecord(1, { tenant: 'acme' });
    const b = newCatalogRecord(2, { tenant: 'acme' });
    expect(b.metadata).toBe(a.metadata);
    expect(Object.isFrozen(a.metadata)).toBe(true);
    expect(newCatalogRecord(3, { tenant: 'other' }).metadata).not.toBe(a.metadata);
    const stored = decodeCatalog(encodeCatalog({ ...a, lastModel: 'anthropic/claude-x' }, 0)).record;
    expect(stored.metadata).toBe(a.metadata);
    const live = applyEventsToCatalog(a, [assistantMessage('x', OTHER)], 5).record;
    expect(live.lastModel).toBe('anthropic/claude-x');
    // Same string content either way; interning only means one copy is kept.
    expect(stored.lastModel).toBe(live.lastModel);
  });

  it('tracks the last model across model switches, including names that differ only in where the / falls', () => {
    let rec = newCatalogRecord(1, {});
    const seen: Array<string | undefined> = [];
    for (const model of [
      { provider: 'a', id: 'b/c' },
      { provider: 'a/b', id: 'c' }, // the same display name: 'a/b/c'
      { provider: 'a', id: 'b/d' },
      { provider: 'anthropic', id: 'claude-x' },
      { provider: 'anthropic', id: 'claude-x' },
      { provider: 'anthropic', id: 'claude-y' },
    ]) {
      rec = applyEventsToCatalog(rec, [assistantMessage('x', model)], 1).record;
      seen.push(rec.lastModel);
    }
    expect(seen).toEqual([
      'a/b/c',
      'a/b/c',
      'a/b/d',
      'anthropic/claude-x',
      'anthropic/claude-x',
      'anthropic/claude-y',
    ]);
  });
});
