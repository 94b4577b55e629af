import { describe, expect, it } from 'vitest';
import { RUNTIME_ERROR_CODES, RuntimeError } from './runtime-error.js';
import { fromWireError, toWireError } from './wire-error.js';

describe('the wire shape of RuntimeError', () => {
  it.each(RUNTIME_ERROR_CODES)('%s survives a round trip through structured clone', (code) => {
    const sent = new RuntimeError(code, `a ${code} failure`, 'SomeKind', { at: [1, 2] });
    const back = fromWireError(structuredClone(toWireError(sent)));
    expect(back).toBeInstanceOf(RuntimeError);
    expect({ code: back.code, message: back.message, kind: back.kind, details: back.details }).toEqual({
      code,
      message: `a ${code} failure`,
      kind: 'SomeKind',
      details: { at: [1, 2] },
    });
  });

  it('writes only the fields that are set', () => {
    expect(toWireError(new RuntimeError('OVERLOADED', 'full'))).toEqual({
      code: 'OVERLOADED',
      message: 'full',
    });
  });

  it('anything thrown that is not a RuntimeError travels as SESSION with its message', () => {
    expect(toWireError(new TypeError('x is undefined'))).toEqual({
      code: 'SESSION',
      message: 'x is undefined',
    });
    expect(toWireError('a string')).toEqual({ code: 'SESSION', message: 'a string' });
  });

  it('an unknown code becomes SESSION and keeps what was received', () => {
    const received = {
      code: 'SEQUENCE_CONFLICT',
      message: 'expected 3, got 4',
      kind: 'k',
      details: { a: 1 },
    };
    const err = fromWireError(received);
    expect(err).toMatchObject({
      code: 'SESSION',
      message: 'expected 3, got 4',
      kind: undefined,
      details: { unknownCode: 'SEQUENCE_CONFLICT', kind: 'k', details: { a: 1 } },
    });
    expect(err.cause).toBe(received);
  });

  it.each([
    ['undefined', undefined],
    ['a string', 'boom'],
    ['a code that is not a string', { code: 7, message: 'm' }],
    ['no message', { code: 'SESSION' }],
    ['a kind that is not a string', { code: 'SESSION', message: 'm', kind: 1 }],
  ])('a malformed value (%s) becomes SESSION, kept as details and cause', (_, value) => {
    const err = fromWireError(value);
    expect(err).toMatchObject({ code: 'SESSION', message: 'a malformed error reply was received' });
    expect(err.details).toEqual({ received: value });
    expect(err.cause).toBe(value);
  });
});
