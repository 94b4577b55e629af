// spec §1.10 rendering of the system context, and its bounded render cache (heap per idle session).
import { describe, expect, it } from 'vitest';
import { renderSystemContext, type SystemContext } from './system-context.js';

const ctx = (i: number): SystemContext => ({
  prompt: `  prompt ${i}  `,
  environment: { workingDirectory: `/w/${i}`, platform: 'linux', date: '2026-01-01' },
});

describe('renderSystemContext (spec §1.10)', () => {
  it('joins the trimmed prompt and environment with a blank line; nothing to say → undefined', () => {
    expect(renderSystemContext(ctx(1))).toBe(
      'prompt 1\n\nWorking directory: /w/1\nPlatform: linux\nDate: 2026-01-01',
    );
    expect(renderSystemContext({ prompt: 'only' })).toBe('only');
    expect(renderSystemContext({ prompt: '   ' })).toBeUndefined();
    expect(renderSystemContext(undefined)).toBeUndefined();
  });

  it('gives the same text for a context however many others were rendered in between (bounded cache)', () => {
    const contexts = Array.from({ length: 2_000 }, (_, i) => ctx(i));
    const first = contexts.map((c) => renderSystemContext(c));
    const blank: SystemContext = { prompt: ' ' };
    expect(renderSystemContext(blank)).toBeUndefined();
    for (let round = 0; round < 2; round++) {
      contexts.forEach((c, i) => {
        expect(renderSystemContext(c)).toBe(first[i]);
        expect(first[i]).toBe(`prompt ${i}\n\nWorking directory: /w/${i}\nPlatform: linux\nDate: 2026-01-01`);
      });
      expect(renderSystemContext(blank)).toBeUndefined(); // a cached `undefined` is a hit too
    }
  });
});
