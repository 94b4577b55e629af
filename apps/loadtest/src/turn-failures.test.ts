import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedTarget } from './embedded-target.js';
import { resolveLoadOptions } from './options.js';
import { runLoad } from './run-load.js';
import { TargetCallError } from './target.js';
import { wrapTarget } from './test-support/wrap-target.js';

describe('turns that fail', () => {
  let target: EmbeddedTarget;
  beforeAll(async () => {
    target = await EmbeddedTarget.start(
      resolveLoadOptions({ shards: 0, store: 'memory', logLevel: 'silent' }),
    );
  });
  afterAll(async () => {
    await target.close();
  });

  it('a turn that does not end in time is an error: cancelled, the rest of its session skipped', async () => {
    const report = await runLoad(
      // the queue kind's running turn sleeps 60 s; the turn may take 300 ms
      { sessions: 1, turns: 3, mix: { queue: 1 }, busyMs: 60_000, turnTimeoutMs: 300, quiet: true },
      { target },
    );
    expect(report.errorBreakdown.timedOutTurns).toBe(1);
    expect(report.turns).toBe(1);
    expect(report.turnsSkipped).toBe(2);
    expect(report.kinds.queue).toMatchObject({ turns: 1, errors: 1 });
    expect(report.errorSamples[0]).toContain('no end within 300 ms');
    // the harness cancelled what was running, so the stored log has no open operation
    expect(report.violations.unendedOperation).toBeUndefined();
  });

  it('a refused call is an error and stops its session', async () => {
    let calls = 0;
    const refusing = wrapTarget(target, {});
    refusing.submitInput = async (sessionId, text) => {
      if (++calls === 2) throw new TargetCallError('OVERLOADED', 'submitUserInput: refused for the test');
      return target.submitInput(sessionId, text);
    };
    const report = await runLoad(
      { sessions: 1, turns: 4, mix: { echo: 1 }, quiet: true },
      { target: refusing },
    );
    expect(report.errorBreakdown.rejectedCalls).toBe(1);
    expect(report.errorSamples[0]).toContain('OVERLOADED');
    expect(report.turns).toBe(2);
    expect(report.turnsSkipped).toBe(2);
    expect(report.violations).toEqual({}); // nothing was owed for the refused input
  });

  it('a session that cannot be created skips its turns', async () => {
    const refusing = wrapTarget(target, {});
    refusing.createSession = async () => {
      throw new TargetCallError('SHUTTING_DOWN', 'createSession: refused for the test');
    };
    const report = await runLoad(
      { sessions: 2, turns: 2, mix: { echo: 1 }, quiet: true },
      { target: refusing },
    );
    expect(report.sessions).toBe(0);
    expect(report.turnsSkipped).toBe(4);
    expect(report.errorBreakdown.rejectedCalls).toBe(2);
  });
});
