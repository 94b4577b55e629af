import { describe, expect, it } from 'vitest';
import { ModelCallError } from './model-call-error.js';
import { ProviderRegistry } from './registry.js';

describe('ProviderRegistry', () => {
  it('always has the simulated provider, with its options', () => {
    const r = new ProviderRegistry({ simulated: { contextWindowTokens: 1234 } });
    expect(r.get('simulated').id).toBe('simulated');
    expect(r.modelInfo({ provider: 'simulated', id: 'sim' })).toEqual({ contextWindowTokens: 1234 });
    expect(new ProviderRegistry().has('simulated')).toBe(true);
  });

  it('throws a configuration ModelCallError for an unknown provider', () => {
    const r = new ProviderRegistry();
    let caught: unknown;
    try {
      r.get('google');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ModelCallError);
    expect((caught as ModelCallError).kind).toBe('configuration');
    expect((caught as ModelCallError).message).toMatch(/^Failed to start model stream \(configuration\): /);
    expect(r.modelInfo({ provider: 'google', id: 'g' })).toEqual({});
  });

  it('builds the hosted providers that are listed, and only those', () => {
    const r = new ProviderRegistry({ anthropic: { apiKey: 'k', baseURL: 'http://127.0.0.1:9' } });
    expect(r.ids().sort()).toEqual(['anthropic', 'simulated']);
    expect(r.get('anthropic').id).toBe('anthropic');
    expect(r.modelInfo({ provider: 'anthropic', id: 'claude-sonnet-4-6' }).contextWindowTokens).toBe(200_000);
    expect(() => r.get('openai')).toThrow(ModelCallError);
    const o = new ProviderRegistry({ openai: { apiKey: 'k' } });
    expect(o.get('openai').id).toBe('openai');
  });

  it('extra providers are added and may replace a built-in', () => {
    const fake = {
      id: 'simulated',
      modelInfo: () => ({ contextWindowTokens: 7 }),
      complete: async () => ({ content: [] }),
    };
    const r = new ProviderRegistry({}, [fake]);
    expect(r.get('simulated')).toBe(fake);
    expect(r.modelInfo({ provider: 'simulated', id: 'x' })).toEqual({ contextWindowTokens: 7 });
  });

  it('options survive structured cloning', () => {
    const opts = {
      simulated: { firstTokenMs: 1 },
      anthropic: { apiKey: 'k', baseURL: 'http://127.0.0.1:1' },
    };
    expect(structuredClone(opts)).toEqual(opts);
  });
});
