import { describe, expect, it } from 'vitest';
import { applyEventsToCatalog, decodeCatalog, encodeCatalog, newCatalogRecord } from './catalog.js';
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
      const buf = encodeCatalog(rec);
      expect(buf[0]).toBe(encodeJson(rec)[0]);
      expect(JSON.parse(buf.toString('utf8', 1))).toEqual(rec);
    }
  });

  it('round-trips records and rejects malformed ones', () => {
    const rec = { ...newCatalogRecord(1, { a: 'b' }), title: 't' };
    expect(decodeCatalog(encodeCatalog(rec))).toEqual(rec);
    expect(() => decodeCatalog(encodeJson({ createdAt: 'yesterday' }))).toThrow(TypeError);
    expect(() => decodeCatalog(encodeJson(null))).toThrow(TypeError);
  });
});
