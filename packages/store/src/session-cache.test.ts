import { describe, expect, it } from 'vitest';
import { newCatalogRecord } from './catalog.js';
import { SessionCache, type SessionState } from './session-cache.js';

const entry = (): SessionState => ({
  nextSeq: 0,
  catalog: newCatalogRecord(0, {}),
  catalogSeq: 0,
  ticket: 0,
  used: false,
});

function cache(max: number) {
  const busy = new Set<string>();
  const c = new SessionCache(max, (id) => busy.has(id));
  const keys = (): string[] => {
    const out: string[] = [];
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) if (c.has(id)) out.push(id);
    return out;
  };
  return { c, busy, keys };
}

describe('SessionCache', () => {
  it('evicts the oldest unused entry when an insert goes past the bound', () => {
    const { c, keys } = cache(2);
    c.set('a', entry());
    c.set('b', entry());
    c.set('c', entry());
    expect(keys()).toEqual(['b', 'c']);
    expect(c.size).toBe(2);
  });

  it('gives a used entry a second chance (CLOCK), and takes it on the next pass if unused since', () => {
    const { c, keys } = cache(2);
    c.set('a', entry());
    c.set('b', entry());
    c.get('a');
    c.set('c', entry()); // a was used: b goes
    expect(keys()).toEqual(['a', 'c']);
    c.set('d', entry()); // order was c, a (a moved to the back): c is unused
    expect(keys()).toEqual(['a', 'd']);
    c.set('e', entry()); // a's flag was cleared by the first pass and it was not used since
    expect(keys()).toEqual(['d', 'e']);
  });

  it('peek and has do not count as a use', () => {
    const { c, keys } = cache(1);
    c.set('a', entry());
    c.peek('a');
    c.has('a');
    c.set('b', entry());
    expect(keys()).toEqual(['b']);
  });

  it('never evicts a busy entry; the bound is restored once it is idle and writes settle', () => {
    const { c, busy, keys } = cache(1);
    busy.add('a');
    busy.add('b');
    c.set('a', entry());
    c.set('b', entry());
    c.set('c', entry());
    // c is idle but the newest: busy a and b stay, so c is the one dropped to get back towards the bound.
    expect(keys()).toEqual(['a', 'b']);
    busy.delete('a');
    c.settled();
    expect(keys()).toEqual(['b']);
    busy.delete('b');
    c.settled();
    expect(keys()).toEqual(['b']);
  });

  it('walks a bounded number of entries per insert while everything is busy; settling walks them all', () => {
    let checks = 0;
    const busy = new Set<string>();
    const c = new SessionCache(1, (id) => {
      checks += 1;
      return busy.has(id);
    });
    for (let i = 0; i < 1000; i++) {
      busy.add(`s${i}`);
      c.set(`s${i}`, entry());
    }
    expect(c.size).toBe(1000);
    checks = 0;
    busy.add('new');
    c.set('new', entry());
    expect(checks).toBeLessThanOrEqual(64);
    busy.clear();
    c.settled();
    expect(c.size).toBe(1);
  });

  it('evict drops an idle entry only', () => {
    const { c, busy } = cache(10);
    c.set('a', entry());
    c.set('b', entry());
    busy.add('b');
    expect(c.evict('a')).toBe(true);
    expect(c.evict('b')).toBe(false);
    expect(c.evict('zz')).toBe(true);
    expect(c.has('a')).toBe(false);
    expect(c.has('b')).toBe(true);
  });

  it('with an infinite bound never evicts', () => {
    const { c } = cache(Number.POSITIVE_INFINITY);
    for (let i = 0; i < 1000; i++) c.set(`s${i}`, entry());
    c.settled();
    expect(c.size).toBe(1000);
  });
});
