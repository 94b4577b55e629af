import { describe, expect, it } from 'vitest';
import { randomUuid } from './uuid.js';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('randomUuid', () => {
  it('mints canonical version-4 UUIDs, unique across many pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const id = randomUuid();
      expect(id).toMatch(V4);
      seen.add(id);
    }
    expect(seen.size).toBe(20_000);
  });

  it('uses every hex digit in the random positions', () => {
    const digits = new Set<string>();
    for (let i = 0; i < 200; i++) for (const ch of randomUuid().replaceAll('-', '')) digits.add(ch);
    expect([...digits].sort().join('')).toBe('0123456789abcdef');
  });
});
