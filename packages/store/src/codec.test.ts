import { describe, expect, it } from 'vitest';
import { decodeAny, decodeJson, encodeJson, encodeV8, FORMAT_JSON, FORMAT_V8 } from './codec.js';

describe('codec', () => {
  it('prefixes JSON values with their format byte and round-trips them', () => {
    const value = { type: 'X', text: 'Grüße 世界 ✓', n: 1.5, list: [null, true] };
    const buf = encodeJson(value);
    expect(buf[0]).toBe(FORMAT_JSON);
    expect(decodeJson(buf)).toEqual(value);
    expect(decodeAny(buf)).toEqual(value);
  });

  it('refuses values JSON cannot represent', () => {
    expect(() => encodeJson(undefined)).toThrow(TypeError);
    expect(() => encodeJson({ n: 1n })).toThrow(TypeError);
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(() => encodeJson(cyclic)).toThrow(TypeError);
  });

  it('fails to decode unknown formats, truncation and garbage', () => {
    expect(() => decodeJson(Buffer.alloc(0))).toThrow();
    expect(() => decodeJson(Buffer.from([0x7b, 0x7d]))).toThrow(/format byte/);
    const good = encodeJson({ a: 'long enough' });
    expect(() => decodeJson(good.subarray(0, good.length - 3))).toThrow(SyntaxError);
    expect(() => decodeAny(Buffer.from([FORMAT_V8, 0xff, 0x00, 0x13]))).toThrow();
  });

  it('round-trips structured-cloneable values through v8 format', () => {
    const value = { m: new Map([[1, new Set(['a'])]]), d: new Date(0), u: undefined };
    const buf = encodeV8(value);
    expect(buf[0]).toBe(FORMAT_V8);
    expect(decodeAny(buf)).toEqual(value);
  });
});
