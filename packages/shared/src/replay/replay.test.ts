// spec §10.3: replay tests.
import { describe, expect, it } from 'vitest';
import { sequentialDeps } from '../reducer/deps.js';
import { reduce } from '../reducer/reduce.js';
import {
  approvalRequested,
  atext,
  call,
  callBlock,
  cancel,
  Driver,
  decided,
  effectsOf,
  freshState,
  ids,
  response,
  SID,
  SONNET,
  userInput,
  withLoopOp,
} from '../reducer/test-support/fixtures.js';
import type { SessionEvent } from '../schemas/events.js';
import { createAppState } from '../state/app-state.js';
import { applyEvent, replayEvents } from './apply-event.js';

const replayed = (events: SessionEvent[]) => {
  const s = createAppState(SID);
  replayEvents(s, events);
  return s;
};

const fullTurn = (d: Driver, n: number) => {
  d.run(userInput(`q${n}`, `op-${n}`, `u-${n}`));
  d.run(response(`op-${n}`, `a-${n}`, [atext(`a${n}`)]));
};

describe('§10.3 replay', () => {
  it('replay_user_input_produces_same_state', () => {
    const d = new Driver(freshState());
    d.run(userInput('Hello', 'op-1'));
    const r = replayed(d.log);
    expect(r.messageGraph.size).toBe(d.state.messageGraph.size);
    expect(r.eventSequence).toBe(d.state.eventSequence + d.log.length);
    expect(d.state.eventSequence).toBe(0);
  });

  it('replay_full_conversation_produces_same_state', () => {
    const d = new Driver(freshState());
    d.run(userInput('list', 'op-1', 'u-1'));
    d.run(response('op-1', 'a-1', [atext('ok'), callBlock(call('tc_1', 'bash', { command: 'ls' }))]));
    d.run(decided(d.state.pendingApproval!.requestId, 'Approved', { type: 'Tool', toolName: 'bash' }));
    const r = replayed(d.log);
    expect(r.messageGraph.size).toBe(d.state.messageGraph.size);
    expect(r.approvedTools.has('bash')).toBe(true);
    expect(r.pendingApproval).toBeUndefined();
  });

  it('replay_cancellation_produces_same_state', () => {
    const d = new Driver(freshState());
    d.run(userInput('Hello', 'op-1'));
    d.run(cancel());
    const r = replayed(d.log);
    expect(r.currentOperation).toBeUndefined();
    expect(r.cancelledOps.has('op-1')).toBe(true);
    expect([...r.cancelledOps]).toEqual([...d.state.cancelledOps]);
  });

  it('replay_multiple_approvals_produces_same_state', () => {
    const d = new Driver(withLoopOp(freshState()));
    d.run(approvalRequested('r1', call('tc_1', 'bash', { command: 'ls' })));
    d.run(approvalRequested('r2', call('tc_2', 'bash', { command: 'pwd' })));
    d.run(approvalRequested('r3', call('tc_3', 'bash', { command: 'id' })));
    d.run(decided('r1', 'Approved', { type: 'Tool', toolName: 'bash' }));
    // replay onto a state with the same op set
    const r = withLoopOp(createAppState(SID));
    replayEvents(r, d.log);
    expect(r.approvedTools.has('bash')).toBe(true);
    expect(r.pendingApproval).toBeUndefined();
  });

  it('hydrate_action_produces_same_state_as_replay', () => {
    const d = new Driver(freshState());
    fullTurn(d, 1);
    const manual = replayed(d.log);
    const hydrated = createAppState(SID);
    const r = reduce(
      hydrated,
      { type: 'Hydrate', sessionId: SID, events: d.log, startingSequence: d.log.length },
      sequentialDeps(),
    );
    expect(r).toEqual({ events: [], effects: [] });
    expect(hydrated.messageGraph.size).toBe(manual.messageGraph.size);
    expect(hydrated.eventSequence).toBe(d.log.length);
  });

  it('replay_preserves_message_order', () => {
    const d = new Driver(freshState());
    fullTurn(d, 1);
    fullTurn(d, 2);
    const r = replayed(d.log);
    expect(ids(r.messageGraph.messages)).toEqual(ids(d.state.messageGraph.messages));
    expect(ids(r.messageGraph.messages)).toEqual(['u-1', 'a-1', 'u-2', 'a-2']);
  });

  it('replay_bash_pattern_approval', () => {
    const d = new Driver(withLoopOp(freshState()));
    d.run(approvalRequested('r1', call('tc_1', 'bash', { command: 'ls -la' })));
    d.run(decided('r1', 'Approved', { type: 'BashPattern', pattern: 'ls*' }));
    const r = replayed(d.log);
    expect([...r.approvedBashPatterns]).toEqual(['ls*']);
  });

  it('replay_empty_events_is_noop', () => {
    const s = createAppState(SID);
    reduce(s, { type: 'Hydrate', sessionId: SID, events: [], startingSequence: 0 }, sequentialDeps());
    expect(s.messageGraph.size).toBe(0);
    expect(s.eventSequence).toBe(0);
  });

  it('replay_incremental_events_works', () => {
    const d = new Driver(freshState());
    fullTurn(d, 1);
    const batch1 = d.log.slice();
    fullTurn(d, 2);
    const batch2 = d.log.slice(batch1.length);
    const s = createAppState(SID);
    replayEvents(s, batch1);
    expect(s.messageGraph.size).toBe(2);
    replayEvents(s, batch2);
    expect(s.messageGraph.size).toBe(d.state.messageGraph.size);
    expect(s.eventSequence).toBe(d.log.length);
  });

  it('hydrate_action_applies_llm_usage_update', () => {
    const usage = { inputTokens: 3, outputTokens: 5, totalTokens: 8 };
    const event: SessionEvent = { type: 'LlmUsageUpdated', opId: 'op-1', model: SONNET, usage };
    const s = createAppState(SID);
    reduce(s, { type: 'Hydrate', sessionId: SID, events: [event], startingSequence: 1 }, sequentialDeps());
    expect(s.llmUsageByOp.get('op-1')).toEqual({ model: SONNET, usage, contextWindow: undefined });
    expect(s.llmUsageTotals).toEqual(usage);
    expect(s.eventSequence).toBe(1);
  });

  it('compaction_replay_marks_boundary_in_state', () => {
    const d = new Driver(freshState());
    d.run(userInput('q1', 'op-1', 'u-1'));
    d.run(response('op-1', 'a-1', [atext('a1')]));
    d.run(userInput('q2', 'op-2', 'u-2'));
    d.run(response('op-2', 'a-2', [atext('a2')]));
    d.run({ type: 'RequestCompaction', sessionId: SID, opId: 'op-c', model: SONNET });
    d.run({
      type: 'CompactionComplete',
      sessionId: SID,
      opId: 'op-c',
      compactionId: 'c1',
      summaryMessageId: 'sum-1',
      summary: 'the summary',
      compactedHeadMessageId: 'a-2',
      previousActiveMessageId: 'a-2',
      model: 'claude-sonnet-4-5',
      timestamp: 1_700_000_000,
    });
    const r = replayed(d.log);
    expect([...r.messageGraph.compactionSummaryIds]).toEqual([...d.state.messageGraph.compactionSummaryIds]);
    expect([...r.messageGraph.compactionSummaryIds]).toEqual(['sum-1']);
    expect(ids(r.messageGraph.getActiveThread())).toEqual(ids(d.state.messageGraph.getActiveThread()));
    expect(ids(r.messageGraph.getActiveThread())).toEqual(['sum-1']);
    const next = reduce(r, userInput('new message', 'op-n', 'u-n'), sequentialDeps());
    expect(ids(effectsOf(next, 'CallModel')[0]?.messages ?? [])).toEqual(['sum-1', 'u-n']);
  });

  it('replay increments eventSequence for ignored events too', () => {
    const s = createAppState(SID);
    applyEvent(s, { type: 'Error', message: 'x' });
    applyEvent(s, { type: 'WorkspaceChanged' });
    applyEvent(s, { type: 'OperationStarted', opId: 'o', kind: { type: 'AgentLoop' } });
    expect(s.eventSequence).toBe(3);
    expect(s.currentOperation).toBeUndefined();
  });
});
