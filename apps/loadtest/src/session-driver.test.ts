import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Runtime } from '@shoal/supervisor';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunCounters } from './counters.js';
import { LatencyRecorder } from './latency.js';
import { echoTurn, type ScriptTurn } from './scripts.js';
import { SessionDriver } from './session-driver.js';

const turn = (text: string): ScriptTurn => ({ kind: 'echo', text, needsApproval: false });

describe('SessionDriver', () => {
  let dataDir: string;
  let runtime: Runtime;
  let counters: RunCounters;
  let latency: LatencyRecorder;
  let turnEnds: number;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'shoal-loadtest-driver-'));
    runtime = await Runtime.start({ dataDir, store: 'memory', shards: 0, logLevel: 'silent' });
    counters = new RunCounters();
    latency = new LatencyRecorder();
    turnEnds = 0;
  });
  afterEach(async () => {
    await runtime.shutdown();
    await rm(dataDir, { recursive: true, force: true });
  });

  const driver = async (turnTimeoutMs = 10_000) =>
    new SessionDriver(await runtime.createSession(), {
      runtime,
      counters,
      latency,
      turnTimeoutMs,
      onTurnEnd: () => {
        turnEnds++;
      },
    });

  it('runs every turn, counts the events of the subscription and records one latency per turn', async () => {
    const d = await driver();
    await d.run([echoTurn(0, 1), echoTurn(0, 2)]);
    expect(counters.turns).toBe(2);
    expect(counters.errors).toBe(0);
    expect(latency.count).toBe(2);
    expect(turnEnds).toBe(2);
    // SessionCreated + 5 per echo turn at least (UserMessageAdded … OperationCompleted)
    expect(counters.events).toBeGreaterThanOrEqual(11);
    const stored = await runtime.loadEventsAfter(d.sessionId, -1);
    expect(counters.events).toBeLessThanOrEqual(stored.length);
  });

  it('approves a bash call when asked, and the turn completes', async () => {
    const d = await driver();
    await d.run([turn('/tool bash {"command":"echo hi"}')]);
    expect(counters.approvals).toBe(1);
    expect(counters.errors).toBe(0);
    const stored = await runtime.loadEventsAfter(d.sessionId, -1);
    const completed = stored.find((e) => e.event.type === 'ToolCallCompleted');
    expect(completed?.event).toMatchObject({ result: { type: 'Bash', stdout: 'hi\n' } });
  });

  it('counts a turn that ends with an Error event and goes on with the next turn', async () => {
    const d = await driver();
    await d.run([turn('/error invalid_request scripted failure'), echoTurn(0, 2)]);
    expect(counters.turns).toBe(2);
    expect(counters.failures.errorTurns).toBe(1);
    expect(counters.errors).toBe(1);
    expect(counters.errorSamples[0]).toContain('scripted failure');
    expect(latency.count).toBe(2);
  });

  it('times a stuck turn out, cancels it and skips the rest of the session', async () => {
    const d = await driver(200);
    await d.run([turn('/sleep 20000\nslow'), echoTurn(0, 2), echoTurn(0, 3)]);
    expect(counters.failures.timedOutTurns).toBe(1);
    expect(counters.turns).toBe(1);
    expect(counters.turnsSkipped).toBe(2);
    expect(latency.count).toBe(0);
    const state = await runtime.getSessionState(d.sessionId);
    expect(state.currentOperation).toBeNull(); // the harness cancelled it
  });

  it('counts a rejected submit and stops the session', async () => {
    const d = await driver();
    await d.run([turn('   '), echoTurn(0, 2)]);
    expect(counters.failures.rejectedCalls).toBe(1);
    expect(counters.errorSamples[0]).toContain('INVALID_INPUT');
    expect(counters.turnsSkipped).toBe(1);
  });
});
