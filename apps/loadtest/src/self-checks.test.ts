import type { StoredEvent } from '@shoal/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedTarget } from './embedded-target.js';
import { resolveLoadOptions } from './options.js';
import { runLoad } from './run-load.js';
import { wrapTarget } from './test-support/wrap-target.js';

/**
 * The harness's self-checks against a deliberately broken log: the runtime is real, the event stream the harness
 * reads is tampered with on its way (one event dropped, one delivered twice, an acknowledged input hidden).
 */
describe('the self-checks catch a broken log', () => {
  let target: EmbeddedTarget;
  beforeAll(async () => {
    target = await EmbeddedTarget.start(
      resolveLoadOptions({ shards: 0, store: 'memory', logLevel: 'silent' }),
    );
  });
  afterAll(async () => {
    await target.close();
  });

  /** Tampers with the first session's stream only, at the first event `pick` selects. */
  async function runWith(rewrite: (e: StoredEvent) => StoredEvent[] | null) {
    let done = false;
    let first: string | undefined;
    return runLoad(
      { sessions: 2, turns: 2, mix: { echo: 1 }, quiet: true },
      {
        target: wrapTarget(target, {
          live: (sessionId, e) => {
            first ??= sessionId;
            if (done || sessionId !== first) return [e];
            const out = rewrite(e);
            if (out === null) return [e];
            done = true;
            return out;
          },
        }),
      },
    );
  }

  it('a gap', async () => {
    const report = await runWith((e) => (e.event.type === 'AssistantMessageAdded' ? [] : null));
    expect(report.violations.gap).toBe(1);
    expect(report.errorBreakdown.checkViolations).toBeGreaterThanOrEqual(1);
    expect(report.errors).toBeGreaterThanOrEqual(1);
    expect(report.errorSamples.join('\n')).toMatch(
      /gap: session .*: expected seq \d+, got \d+ \(LlmUsageUpdated\)/,
    );
    // what was seen live no longer matches the store
    expect(report.violations.logMismatch).toBe(1);
  });

  it('a duplicate', async () => {
    const report = await runWith((e) => (e.event.type === 'AssistantMessageAdded' ? [e, e] : null));
    expect(report.violations.duplicate).toBe(1);
    expect(report.errorSamples.join('\n')).toMatch(/duplicate: .* \(AssistantMessageAdded\) again/);
    expect(report.violations.logMismatch).toBeUndefined(); // the duplicate was not counted as seen
  });

  it('a missing acknowledged input', async () => {
    // The input's event is replaced by a harmless one with the same seq: contiguous, but the input is gone.
    const report = await runWith((e) =>
      e.event.type === 'UserMessageAdded' ? [{ seq: e.seq, event: { type: 'WorkspaceChanged' } }] : null,
    );
    expect(report.violations.missingInput).toBe(1);
    expect(report.errorSamples.join('\n')).toMatch(
      /missingInput: .*acknowledged input \[lt-\d+-0\] is not in the log/,
    );
    expect(report.violations.logMismatch).toBe(1);
  });

  it('an operation end seen twice', async () => {
    const report = await runWith((e) =>
      e.event.type === 'OperationCompleted' ? [e, { seq: e.seq + 1, event: e.event }] : null,
    );
    expect(report.violations.endWithoutStart).toBeGreaterThanOrEqual(1);
  });

  it('and pass an untouched run', async () => {
    const report = await runWith(() => null);
    expect(report.errorSamples).toEqual([]);
    expect(report.errors).toBe(0);
  });
});
