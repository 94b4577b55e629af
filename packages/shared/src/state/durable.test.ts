import { describe, expect, it } from 'vitest';
import { SONNET } from '../reducer/test-support/fixtures.js';
import { durableView, Harness, replay } from '../reducer/test-support/harness.js';
import { createAppState } from './app-state.js';
import { DURABLE_STATE_VERSION, DurableStateError, stateFromDurable, stateToDurable } from './durable.js';
import { maxRecordedContextWindow, maxRecordedTotalTokens, recordLlmUsage } from './usage.js';

describe('durable state', () => {
  it('round-trips through JSON with a version number', () => {
    const h = new Harness();
    h.run([
      { kind: 'userInput', a: 1, b: 3, c: 0 },
      { kind: 'userInput', a: 2, b: 2, c: 1 },
      { kind: 'modelReply', a: 0, b: 3, c: 3 },
    ]);
    const state = replay(h.fullLog());
    const d = JSON.parse(JSON.stringify(stateToDurable(state)));
    expect(d.version).toBe(DURABLE_STATE_VERSION);
    const restored = stateFromDurable(d);
    expect(durableView(restored)).toEqual(durableView(state));
    expect(restored.eventSequence).toBe(state.eventSequence);
    expect(restored.llmUsageTotals).toEqual(state.llmUsageTotals);
  });

  it('rejects unknown versions', () => {
    const d = { ...stateToDurable(createAppState('s')), version: 99 };
    expect(() => stateFromDurable(d as unknown as ReturnType<typeof stateToDurable>)).toThrow(
      DurableStateError,
    );
  });

  it('keeps usage maxima correct after a restore and after a snapshot is lowered', () => {
    const s = createAppState('s');
    recordLlmUsage(
      s,
      'a',
      SONNET,
      { inputTokens: 1, outputTokens: 1, totalTokens: 50 },
      { maxContextTokens: 200, estimated: false },
    );
    recordLlmUsage(
      s,
      'b',
      SONNET,
      { inputTokens: 1, outputTokens: 1, totalTokens: 30 },
      { maxContextTokens: 100, estimated: false },
    );
    expect(maxRecordedTotalTokens(s)).toBe(50);
    expect(maxRecordedContextWindow(s)).toBe(200);
    recordLlmUsage(s, 'a', SONNET, { inputTokens: 1, outputTokens: 1, totalTokens: 10 }, undefined);
    expect(maxRecordedTotalTokens(s)).toBe(30);
    expect(maxRecordedContextWindow(s)).toBe(100);
    expect(s.llmUsageTotals).toEqual({ inputTokens: 2, outputTokens: 2, totalTokens: 40 });
    const restored = stateFromDurable(JSON.parse(JSON.stringify(stateToDurable(s))));
    expect(maxRecordedTotalTokens(restored)).toBe(30);
    expect(maxRecordedContextWindow(restored)).toBe(100);
    expect(restored.llmUsageTotals).toEqual(s.llmUsageTotals);
  });

  it('usage totals saturate at 2^32-1 (spec §1.3)', () => {
    const s = createAppState('s');
    const big = { inputTokens: 4_000_000_000, outputTokens: 4_000_000_000, totalTokens: 4_000_000_000 };
    recordLlmUsage(s, 'a', SONNET, big, undefined);
    recordLlmUsage(s, 'b', SONNET, big, undefined);
    expect(s.llmUsageTotals).toEqual({
      inputTokens: 0xffffffff,
      outputTokens: 0xffffffff,
      totalTokens: 0xffffffff,
    });
    recordLlmUsage(s, 'b', SONNET, { inputTokens: 1, outputTokens: 1, totalTokens: 1 }, undefined);
    expect(s.llmUsageTotals).toEqual({
      inputTokens: 4_000_000_001,
      outputTokens: 4_000_000_001,
      totalTokens: 4_000_000_001,
    });
  });
});
