import { describe, expect, it } from 'vitest';
import { ControllerPool } from './controller-pool.js';

describe('ControllerPool', () => {
  it('keeps a controller whose signal is pristine and hands it out again', () => {
    const pool = new ControllerPool();
    const ctrl = pool.take();
    const listener = () => undefined;
    ctrl.signal.addEventListener('abort', listener);
    ctrl.signal.removeEventListener('abort', listener); // removed again: pristine
    pool.release(ctrl);
    expect(pool.size).toBe(1);
    expect(pool.take()).toBe(ctrl);
    expect(pool.size).toBe(0);
  });

  it('refuses aborted signals, signals with listeners, handlers, dependants or expandos', () => {
    const pool = new ControllerPool();
    const aborted = new AbortController();
    aborted.abort();
    const listened = new AbortController();
    listened.signal.addEventListener('abort', () => undefined);
    const handled = new AbortController();
    handled.signal.onabort = () => undefined;
    const source = new AbortController();
    AbortSignal.any([source.signal]);
    const expando = new AbortController();
    (expando.signal as unknown as Record<string, unknown>).tag = 1;
    for (const c of [aborted, listened, handled, source, expando]) pool.release(c);
    expect(pool.size).toBe(0);
  });

  it('trims the controllers nobody took since the last trim', () => {
    const pool = new ControllerPool();
    for (let i = 0; i < 4; i++) pool.release(new AbortController());
    pool.trim(); // first period: the low-water mark starts at 0
    expect(pool.size).toBe(4);
    pool.take();
    pool.take(); // at most 2 were needed this period: the 2 that stayed spare go
    pool.release(new AbortController());
    pool.trim();
    expect(pool.size).toBe(1);
    pool.trim(); // nothing taken since: everything goes
    expect(pool.size).toBe(0);
  });

  it('is bounded', () => {
    const pool = new ControllerPool(2);
    for (let i = 0; i < 5; i++) pool.release(new AbortController());
    expect(pool.size).toBe(2);
    expect(new ControllerPool(0).take()).toBeInstanceOf(AbortController);
  });
});
