import { describe, expect, it } from 'vitest';
import { PendingReplies } from './pending-replies.js';

describe('PendingReplies', () => {
  it('settles each waiting promise by its id, once', async () => {
    const p = new PendingReplies();
    const a = expect(p.wait<string>(1)).rejects.toThrow('one failed');
    const b = expect(p.wait<string>(2)).resolves.toBe('two');
    expect(p.size).toBe(2);
    expect(p.resolve(2, 'two')).toBe(true);
    expect(p.reject(1, new Error('one failed'))).toBe(true);
    await Promise.all([a, b]);
    expect(p.size).toBe(0);
    expect(p.resolve(1, 'late')).toBe(false); // unknown or already settled: ignored
    expect(p.reject(3, new Error('x'))).toBe(false);
  });

  it('rejects everything still waiting, each with its own error', async () => {
    const p = new PendingReplies();
    const waits = [p.wait(1), p.wait(2)];
    let n = 0;
    p.rejectAll(() => new Error(`gone ${++n}`));
    expect(p.size).toBe(0);
    const errors = await Promise.all(waits.map((w) => w.catch((e: Error) => e.message)));
    expect(errors).toEqual(['gone 1', 'gone 2']);
  });
});
