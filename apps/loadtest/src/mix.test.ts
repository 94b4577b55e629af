import { describe, expect, it } from 'vitest';
import { LoadTestError } from './errors.js';
import { DEFAULT_MIX, formatMix, MixPicker, parseMix, TURN_KINDS } from './mix.js';

describe('parseMix', () => {
  it('reads kind=weight pairs and presets', () => {
    expect(parseMix('echo=5,bash=2, read=2 ,queue=1')).toEqual({ echo: 5, bash: 2, read: 2, queue: 1 });
    expect(parseMix('echo=0.5,cancel=0')).toEqual({ echo: 0.5, cancel: 0 });
    expect(parseMix('default')).toEqual(DEFAULT_MIX);
    expect(parseMix('tools')).toEqual({ bash: 1, read: 1 });
  });

  it.each([
    ['echo5', '--mix: expected kind=weight pairs or a preset'],
    ['poetry=1', "--mix: unknown turn kind 'poetry'"],
    ['echo=-1', '--mix: expected kind=weight pairs'],
    ['echo=1,echo=2', "--mix: 'echo' given twice"],
    ['echo=0', '--mix: at least one weight must be positive'],
    ['', '--mix: expected kind=weight pairs'],
  ])('rejects %j naming the flag', (text, message) => {
    let caught: unknown;
    try {
      parseMix(text);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(LoadTestError);
    expect((caught as LoadTestError).message).toContain(message);
  });

  it('formats a mix in the canonical kind order', () => {
    expect(formatMix({ queue: 1, echo: 5, cancel: 0 })).toBe('echo=5,queue=1');
  });

  it('the default mix has every kind', () => {
    for (const kind of TURN_KINDS) expect(DEFAULT_MIX[kind]).toBeGreaterThan(0);
  });
});

describe('MixPicker', () => {
  it('is deterministic for a seed and follows the weights', () => {
    const picker = new MixPicker({ echo: 3, bash: 1 }, 7);
    const kinds = Array.from({ length: 8000 }, (_, i) => picker.kindOf(i));
    expect(kinds).toEqual(
      Array.from({ length: 8000 }, (_, i) => new MixPicker({ echo: 3, bash: 1 }, 7).kindOf(i)),
    );
    const echo = kinds.filter((k) => k === 'echo').length;
    expect(echo / kinds.length).toBeGreaterThan(0.7);
    expect(echo / kinds.length).toBeLessThan(0.8);
    expect(new Set(kinds)).toEqual(new Set(['echo', 'bash']));
  });

  it('never picks a kind of weight 0, and another seed gives other turns', () => {
    const a = new MixPicker({ echo: 1, cancel: 0, read: 1 }, 1);
    const b = new MixPicker({ echo: 1, cancel: 0, read: 1 }, 2);
    const ka = Array.from({ length: 200 }, (_, i) => a.kindOf(i));
    const kb = Array.from({ length: 200 }, (_, i) => b.kindOf(i));
    expect(ka).not.toContain('cancel');
    expect(ka).not.toEqual(kb);
  });
});
