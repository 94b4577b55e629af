import { describe, expect, it } from 'vitest';
import { LoadTestError } from './errors.js';
import { DEFAULT_MIX } from './mix.js';
import { flagName, plannedTurns, resolveLoadOptions } from './options.js';

function problems(input: Parameters<typeof resolveLoadOptions>[0]): string {
  try {
    resolveLoadOptions(input);
  } catch (err) {
    expect(err).toBeInstanceOf(LoadTestError);
    expect((err as LoadTestError).code).toBe('INVALID_OPTIONS');
    return (err as LoadTestError).message;
  }
  throw new Error('expected the options to be rejected');
}

describe('resolveLoadOptions', () => {
  it('maps keys to their flags', () => {
    expect(flagName('sessions')).toBe('--sessions');
    expect(flagName('turnTimeoutMs')).toBe('--turn-timeout-ms');
    expect(flagName('dataDir')).toBe('--data-dir');
  });

  it('keeps given values and fills in the rest', () => {
    const o = resolveLoadOptions({ sessions: 3, shards: 2, store: 'memory' });
    expect(o).toMatchObject({
      sessions: 3,
      shards: 2,
      store: 'memory',
      mix: DEFAULT_MIX,
      create: 'upfront',
      verify: true,
    });
    expect(o.concurrency).toBeUndefined();
    expect(o.durability).toBeUndefined(); // the embedded target's default (fsync) applies
  });

  it('names unknown keys as flags', () => {
    expect(problems({ sesions: 3 } as never)).toMatch(/unknown option\(s\) --sesions/);
  });

  it('reports every bad value, naming its flag', () => {
    const message = problems({ shards: -1, concurrency: 0, rate: 0, duration: -1 });
    expect(message).toContain('--shards: Too small');
    expect(message).toContain('--concurrency: Too small');
    expect(message).toContain('--rate: Too small');
    expect(message).toContain('--duration: Too small');
  });

  it('ties the flags together', () => {
    expect(problems({ target: 'http://127.0.0.1:1' })).toContain('--api-key: required with --target');
    expect(problems({ apiKey: 'k' })).toContain('--api-key: only with --target');
    expect(problems({ target: 'http://127.0.0.1:1', apiKey: 'k', shards: 2, store: 'memory' })).toMatch(
      /--shards: configures the embedded runtime; not with --target.*--store: configures/,
    );
    expect(problems({ rate: 10, concurrency: 3 })).toContain(
      '--concurrency: closed loop only; not with --rate',
    );
    expect(problems({ mix: { echo: 0 } })).toContain('--mix: at least one weight must be positive');
    expect(problems({ target: 'ftp://x', apiKey: 'k' })).toContain(
      '--target: must be an http:// or https:// URL',
    );
  });
});

describe('plannedTurns', () => {
  const planned = (input: Parameters<typeof resolveLoadOptions>[0]) =>
    plannedTurns(resolveLoadOptions(input));
  it('is sessions × turns, rate × duration, or unbounded', () => {
    expect(planned({ sessions: 10 })).toBe(50);
    expect(planned({ sessions: 10, turns: 3 })).toBe(30);
    expect(planned({ sessions: 10, rate: 20, duration: 2 })).toBe(40);
    expect(planned({ sessions: 10, turns: 1, rate: 20, duration: 2 })).toBe(10);
    expect(planned({ sessions: 10, duration: 2 })).toBeNull();
    expect(planned({ sessions: 10, rate: 5 })).toBe(50);
  });
});
