import { describe, expect, it } from 'vitest';
import { isContextWindowExceededError } from './overflow.js';

describe('isContextWindowExceededError (spec §3.2.14)', () => {
  it.each([
    'This model has a maximum context length of 8192 tokens',
    'Request exceeds the context window',
    'maximum context reached',
    'max context is 200k',
    'context_length_exceeded',
    'Too many tokens in request',
    'Token limit reached',
    'prompt is too long: 210000 tokens > 200000 maximum',
    'Input is too long for requested model.',
  ])('detects the phrase in %j', (text) => {
    expect(isContextWindowExceededError(text)).toBe(true);
  });

  it('is case-insensitive', () => {
    expect(isContextWindowExceededError('CONTEXT_LENGTH_EXCEEDED')).toBe(true);
    expect(isContextWindowExceededError('Prompt Is Too Long')).toBe(true);
  });

  it('detects "context" together with "exceed"', () => {
    expect(isContextWindowExceededError('the conversation context was exceeded')).toBe(true);
    expect(isContextWindowExceededError('Exceeded: context')).toBe(true);
  });

  it('detects "token" together with "exceed", "too many" or "limit"', () => {
    expect(isContextWindowExceededError('input tokens exceed the configured maximum')).toBe(true);
    expect(isContextWindowExceededError('you sent too many input tokens')).toBe(true);
    expect(isContextWindowExceededError('tokens over limit')).toBe(true);
  });

  it('keeps the known false positive: token rate limits (spec §11.22)', () => {
    expect(isContextWindowExceededError('Rate limit reached for tokens per minute')).toBe(true);
  });

  it.each([
    '',
    'rate_limited',
    'Rate limit exceeded',
    'server_error: internal error',
    'invalid api key',
    'context missing',
    'token expired',
    'network timeout',
    'Failed to start model stream (rate_limited): slow down',
  ])('does not flag %j', (text) => {
    expect(isContextWindowExceededError(text)).toBe(false);
  });
});
