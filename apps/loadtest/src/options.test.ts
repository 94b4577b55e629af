import { describe, expect, it } from 'vitest';
import { LoadTestError } from './errors.js';
import { flagName, resolveLoadOptions } from './options.js';

describe('resolveLoadOptions', () => {
  it('maps keys to their flags', () => {
    expect(flagName('sessions')).toBe('--sessions');
    expect(flagName('turnTimeoutMs')).toBe('--turn-timeout-ms');
    expect(flagName('dataDir')).toBe('--data-dir');
  });

  it('keeps given values and fills in the rest', () => {
    const o = resolveLoadOptions({ sessions: 3, shards: 2, store: 'memory' });
    expect(o).toMatchObject({ sessions: 3, turns: 5, shards: 2, store: 'memory', durability: 'fsync' });
    expect(o.concurrency).toBeUndefined();
  });

  it('names unknown keys as flags', () => {
    expect(() => resolveLoadOptions({ sesions: 3 } as never)).toThrow(/unknown option\(s\) --sesions/);
  });

  it('throws a LoadTestError with code INVALID_OPTIONS', () => {
    let caught: unknown;
    try {
      resolveLoadOptions({ shards: -1, concurrency: 0 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(LoadTestError);
    expect((caught as LoadTestError).code).toBe('INVALID_OPTIONS');
    const message = (caught as LoadTestError).message;
    expect(message).toContain('--shards: Too small');
    expect(message).toContain('--concurrency: Too small');
  });
});
