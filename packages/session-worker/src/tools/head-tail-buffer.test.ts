import { truncateHeadTail } from '@shoal/shared';
import { describe, expect, it } from 'vitest';
import { HeadTailBuffer, STDOUT_LIMITS } from './head-tail-buffer.js';

const feed = (b: HeadTailBuffer, s: string, chunk = 7): void => {
  for (let i = 0; i < s.length; i += chunk) b.push(Buffer.from(s.slice(i, i + chunk)));
};

describe('HeadTailBuffer (§1.6 head+tail output capping)', () => {
  it('keeps small output verbatim', () => {
    const b = new HeadTailBuffer({ maxBytes: 1000, maxLines: 10 });
    feed(b, 'a\nb\nc\n');
    expect(b.text()).toBe('a\nb\nc\n');
    expect(b.truncated).toBe(false);
  });

  it('keeps the first and last lines when over the line budget', () => {
    const b = new HeadTailBuffer({ maxBytes: 10_000, maxLines: 6 }); // 2 lines kept for the marker;
    const lines = Array.from({ length: 100 }, (_, i) => `line${i}`);
    feed(b, lines.join('\n') + '\n');
    const text = b.text();
    expect(b.truncated).toBe(true);
    expect(text.startsWith('line0\nline1\n')).toBe(true);
    expect(text.endsWith('line98\nline99\n')).toBe(true);
    expect(text).not.toContain('line50');
    expect(text).toContain('omitted');
  });

  it('keeps head and tail bytes when over the byte budget, in bounded memory', () => {
    const b = new HeadTailBuffer({ maxBytes: 1128, maxLines: 1_000_000 }); // 128 bytes kept for the marker;
    const big = 'H'.repeat(600) + 'M'.repeat(1_000_000) + 'T'.repeat(600);
    feed(b, big, 4096);
    const text = b.text();
    expect(b.bytesSeen).toBe(big.length);
    expect(text.startsWith('H'.repeat(500))).toBe(true);
    expect(text.endsWith('T'.repeat(500))).toBe(true);
    expect(text.length).toBeLessThanOrEqual(1128);
  });

  it('a capped capture is within the limits, so the §1.6 renderer leaves it alone', () => {
    const b = new HeadTailBuffer(STDOUT_LIMITS);
    for (let i = 0; i < 100_000; i++) b.push(Buffer.from(`line number ${i} ${'x'.repeat(i % 50)}\n`));
    const stdout = b.text();
    expect(b.truncated).toBe(true);
    expect(truncateHeadTail(stdout, STDOUT_LIMITS.maxLines, STDOUT_LIMITS.maxBytes)).toBe(stdout);
  });
});
