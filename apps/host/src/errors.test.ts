import { RUNTIME_ERROR_CODES } from '@shoal/shared';
import { RuntimeError, type RuntimeErrorCode } from '@shoal/supervisor';
import { describe, expect, it } from 'vitest';
import { HostError, RUNTIME_STATUS, toHttpError } from './errors.js';

describe('toHttpError', () => {
  // The one RuntimeError → HTTP mapping, as a table: code, kind, status, Retry-After, body code.
  const table: Array<[RuntimeErrorCode, string | undefined, number, number | undefined, string]> = [
    ['SESSION_NOT_FOUND', undefined, 404, undefined, 'SESSION_NOT_FOUND'],
    ['SESSION_ALREADY_EXISTS', undefined, 409, undefined, 'SESSION_ALREADY_EXISTS'],
    ['INVALID_INPUT', 'Validation', 400, undefined, 'INVALID_INPUT'],
    ['INVALID_INPUT', 'EmptyInput', 400, undefined, 'INVALID_INPUT'],
    ['INVALID_INPUT', 'QueueEmpty', 400, undefined, 'INVALID_INPUT'],
    ['INVALID_INPUT', 'UnknownPrimaryAgent', 400, undefined, 'INVALID_INPUT'],
    ['INVALID_INPUT', 'MissingSessionConfig', 400, undefined, 'INVALID_INPUT'],
    ['INVALID_INPUT', 'OperationInFlight', 409, undefined, 'INVALID_INPUT'],
    ['OVERLOADED', undefined, 503, 1, 'OVERLOADED'],
    ['SHUTTING_DOWN', undefined, 503, 1, 'SHUTTING_DOWN'],
    ['CHANNEL_CLOSED', undefined, 500, undefined, 'INTERNAL'],
    ['EVENT_STORE', 'IO', 500, undefined, 'INTERNAL'],
    ['SESSION', undefined, 500, undefined, 'INTERNAL'],
    ['SESSION', 'NodeFailed', 503, 1, 'SESSION'],
    ['SESSION', 'NoOwner', 503, 1, 'SESSION'],
    ['SESSION', 'LeaseLost', 503, 1, 'SESSION'],
  ];

  it('covers every RuntimeError code, and the status table names no other', () => {
    expect(new Set(table.map(([code]) => code))).toEqual(new Set(RUNTIME_ERROR_CODES));
    expect(Object.keys(RUNTIME_STATUS).sort()).toEqual([...RUNTIME_ERROR_CODES].sort());
  });

  it.each(table)('%s (%s) → %i', (code, kind, status, retryAfter, bodyCode) => {
    const http = toHttpError(new RuntimeError(code, `secret detail of ${code}`, kind, { internal: 1 }));
    expect(http.status).toBe(status);
    expect(http.retryAfterSeconds).toBe(retryAfter);
    expect(http.body.error.code).toBe(bodyCode);
    if (status === 500) {
      // Internals never leave the host.
      expect(http.body).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
    } else {
      expect(http.body.error.message).toBe(`secret detail of ${code}`);
      expect(http.body.error.kind).toBe(kind);
      expect(http.body.error.details).toEqual({ internal: 1 });
    }
  });

  it('keeps a HostError’s status, code, details and Retry-After', () => {
    const http = toHttpError(new HostError('RATE_LIMITED', 429, 'slow down', undefined, 7));
    expect(http).toEqual({
      status: 429,
      body: { error: { code: 'RATE_LIMITED', message: 'slow down' } },
      retryAfterSeconds: 7,
    });
    expect(toHttpError(HostError.badRequest('bad', [{ path: ['x'] }])).body.error.details).toEqual([
      { path: ['x'] },
    ]);
  });

  it('keeps the status of a framework client error and hides anything else', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413 });
    expect(toHttpError(tooLarge)).toMatchObject({ status: 413, body: { error: { code: 'BAD_REQUEST' } } });
    expect(toHttpError(new TypeError('x is undefined'))).toEqual({
      status: 500,
      body: { error: { code: 'INTERNAL', message: 'internal error' } },
    });
    expect(toHttpError('a string').status).toBe(500);
    expect(toHttpError(Object.assign(new Error('boom'), { statusCode: 502 })).status).toBe(500);
  });
});
