// Pins Shoal's deliberate changes to the reference behaviour (domain-spec.md, top; §11).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveEffectiveConfig } from '../agents/primary-agents.js';
import { replayEvents } from '../replay/apply-event.js';
import { recoverInterruptedOperation } from '../replay/recover.js';
import type { SessionEvent } from '../schemas/events.js';
import type { ToolMessage } from '../schemas/message.js';
import { createAppState, prepareResumedState } from '../state/app-state.js';
import { stateToDurable } from '../state/durable.js';
import { cancelForSuspend } from './cancel.js';
import { sequentialDeps } from './deps.js';
import {
  approvalRequested,
  atext,
  autoCompactState,
  call,
  callBlock,
  cancel,
  createdState,
  Driver,
  decided,
  effectsOf,
  effectTypes,
  eventsOf,
  eventTypes,
  freshState,
  ids,
  makeConfig,
  response,
  SID,
  SONNET,
  schema,
  text,
  toolResult,
  userInput,
  withLoopOp,
} from './test-support/fixtures.js';

const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const replayOf = (log: SessionEvent[]) => {
  const s = createAppState(SID);
  replayEvents(s, log);
  return s;
};
const TOOLS = [
  schema('test_tool', { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] }),
  schema('read_file', {
    type: 'object',
    properties: { file_path: { type: 'string' } },
    required: ['file_path'],
  }),
  schema('bash', { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] }),
];

describe('deliberate change 1: ApprovalRequested once', () => {
  it('deliberate_change_1_approval_requested_emitted_once', () => {
    const d = new Driver(createdState().state);
    d.run(userInput('go', 'op-1'));
    const r = d.run(response('op-1', 'a-1', [callBlock(call('tc_1', 'bash', { command: 'ls' }))]));
    expect(eventsOf(r, 'ApprovalRequested')).toHaveLength(1);
    // the effect stays, but carries no event: the actor appends nothing for it
    expect(effectsOf(r, 'RequestUserApproval')).toHaveLength(1);
    expect(d.log.filter((e) => e.type === 'ApprovalRequested')).toHaveLength(1);
  });
});

describe('deliberate change 2: admit every tool call before deciding to call the model', () => {
  const start = () => {
    const d = new Driver(createdState().state);
    d.run({ type: 'ToolSchemasAvailable', sessionId: SID, tools: TOOLS });
    d.run(userInput('go', 'op-1'));
    return d;
  };

  it('deliberate_change_2_no_premature_model_call_with_mixed_tool_calls', () => {
    const d = start();
    const r = d.run(
      response('op-1', 'a-1', [
        callBlock(call('tc_bad', 'test_tool', {})), // invalid: fails without execution
        callBlock(call('tc_read', 'read_file', { file_path: 'x' })), // pre-approved: executes
        callBlock(call('tc_bash', 'bash', { command: 'ls' })), // asks
      ]),
    );
    expect(effectsOf(r, 'CallModel')).toHaveLength(0);
    expect(effectTypes(r)).toEqual(['ExecuteTool', 'RequestUserApproval']);
    expect(eventTypes(r)).toEqual([
      'AssistantMessageAdded',
      'ToolCallFailed',
      'ToolMessageAdded',
      'ApprovalRequested',
    ]);
    d.run(decided(d.state.pendingApproval!.requestId, 'Approved'));
    d.run(toolResult('op-1', 'tc_read', 'read_file'));
    const last = d.run(toolResult('op-1', 'tc_bash', 'bash'));
    const calls = effectsOf(last, 'CallModel');
    expect(calls).toHaveLength(1);
    // the one model call sees a result for every tool call of the response
    const toolUseIds = calls[0]!.messages
      .filter((m): m is ToolMessage => m.role === 'tool')
      .map((m) => m.toolUseId);
    expect(toolUseIds.sort()).toEqual(['tc_bad', 'tc_bash', 'tc_read']);
  });

  it('deliberate_change_2_exactly_one_model_call_after_the_last_admission', () => {
    const d = start();
    const r = d.run(
      response('op-1', 'a-1', [
        callBlock(call('tc_1', 'test_tool', {})),
        callBlock(call('tc_2', 'nope', {})),
        callBlock(call('tc_3', 'test_tool', { command: 1 })),
      ]),
    );
    const calls = effectsOf(r, 'CallModel');
    expect(calls).toHaveLength(1);
    expect(ids(calls[0]!.messages).slice(-3)).toEqual(['invalid_tc_1', 'invalid_tc_2', 'invalid_tc_3']);
    expect(d.state.currentOperation?.opId).toBe('op-1');
  });

  it('deliberate_change_2_denied_calls_continue_once', () => {
    const config = makeConfig();
    const denyAll = {
      ...config,
      toolConfig: {
        ...config.toolConfig,
        approvalPolicy: { defaultBehavior: 'deny' as const, preapproved: { tools: [], perTool: {} } },
      },
    };
    const d = new Driver(createdState(denyAll).state);
    d.run(userInput('go', 'op-1'));
    const r = d.run(
      response('op-1', 'a-1', [
        callBlock(call('tc_1', 'bash', { command: 'ls' })),
        callBlock(call('tc_2', 'x')),
      ]),
    );
    expect(eventsOf(r, 'ToolCallFailed').map((e) => e.error)).toEqual([
      "Tool 'bash' denied by policy",
      "Tool 'x' denied by policy",
    ]);
    expect(effectsOf(r, 'CallModel')).toHaveLength(1);
  });
});

describe('deliberate change 3: titles keep approvals and survive agent switches', () => {
  it('deliberate_change_3_title_never_clears_pending_or_remembered_approvals', () => {
    const d = new Driver(createdState().state);
    d.run(userInput('go', 'op-1'));
    d.run(
      response('op-1', 'a-1', [
        callBlock(call('tc_1', 'bash', { command: 'ls -la' })),
        callBlock(call('tc_2', 'bash', { command: 'pwd' })),
        callBlock(call('tc_3', 'write_file', {})),
      ]),
    );
    d.run(decided(d.state.pendingApproval!.requestId, 'Approved', { type: 'BashPattern', pattern: 'ls*' }));
    const pending = d.state.pendingApproval;
    expect(pending?.toolCall.id).toBe('tc_2');
    const r = d.run({ type: 'SessionTitleGenerated', sessionId: SID, title: '  Listing   files  ' });
    expect(r.events).toEqual([
      {
        type: 'SessionConfigUpdated',
        config: d.state.sessionConfig,
        primaryAgentId: 'normal',
        reason: 'title',
      },
    ]);
    expect(d.state.sessionConfig?.title).toBe('Listing files');
    expect(d.state.pendingApproval).toEqual(pending);
    expect(d.state.approvalQueue.map((q) => q.toolCall.id)).toEqual(['tc_3']);
    expect([...d.state.approvedBashPatterns]).toEqual(['ls*']);
    // the user's later decision still works
    const r2 = d.run(decided(pending!.requestId, 'Approved'));
    expect(effectsOf(r2, 'ExecuteTool').map((e) => e.toolCall.id)).toEqual(['tc_2']);
    // and replay keeps the remembered pattern too
    const replayed = replayOf([{ type: 'SessionCreated', config: makeConfig(), metadata: {} }, ...d.log]);
    expect([...replayed.approvedBashPatterns]).toEqual(['ls*']);
    expect(replayed.sessionConfig?.title).toBe('Listing files');
  });

  it('deliberate_change_3_first_title_wins', () => {
    const d = new Driver(createdState().state);
    d.run({ type: 'SessionTitleGenerated', sessionId: SID, title: 'One' });
    expect(d.run({ type: 'SessionTitleGenerated', sessionId: SID, title: 'Two' }).events).toEqual([]);
    expect(d.state.sessionConfig?.title).toBe('One');
  });

  it('deliberate_change_3_title_survives_agent_switch', () => {
    const { state, created } = createdState();
    const d = new Driver(state);
    d.run({ type: 'SessionTitleGenerated', sessionId: SID, title: 'My session' });
    const r = d.run({ type: 'SwitchPrimaryAgent', sessionId: SID, agentId: 'plan' });
    expect(eventsOf(r, 'SessionConfigUpdated')[0]?.config.title).toBe('My session');
    expect(eventsOf(r, 'SessionConfigUpdated')[0]?.reason).toBe('agent_switch');
    d.run({ type: 'SwitchPrimaryAgent', sessionId: SID, agentId: 'normal' });
    expect(d.state.sessionConfig?.title).toBe('My session');
    const turn = d.run(userInput('hello', 'op-1'));
    expect(effectsOf(turn, 'GenerateSessionTitle')).toHaveLength(0);
    expect(replayOf([created, ...d.log]).sessionConfig?.title).toBe('My session');
  });

  it('deliberate_change_3_agent_switch_still_resets_remembered_approvals_in_live_and_replay', () => {
    const { state, created } = createdState();
    const d = new Driver(state);
    d.run(userInput('go', 'op-1'));
    d.run(response('op-1', 'a-1', [callBlock(call('tc_1', 'bash', { command: 'ls' }))]));
    d.run(decided(d.state.pendingApproval!.requestId, 'Approved', { type: 'Tool', toolName: 'bash' }));
    expect(d.state.approvedTools.has('bash')).toBe(true);
    d.run({ type: 'SwitchPrimaryAgent', sessionId: SID, agentId: 'normal' });
    expect(d.state.approvedTools.has('bash')).toBe(false);
    expect(replayOf([created, ...d.log]).approvedTools.has('bash')).toBe(false);
  });
});

describe('deliberate change 4: results and responses carry their op id', () => {
  it('deliberate_change_4_tool_result_of_a_cancelled_op_is_not_recorded_into_the_next_op', () => {
    const d = new Driver(createdState().state);
    d.run(userInput('first', 'op-1'));
    d.run(response('op-1', 'a-1', [callBlock(call('tc_1', 'read_file', { file_path: 'x' }))]));
    d.run(cancel());
    d.run(userInput('second', 'op-2', 'u-2'));
    const size = d.state.messageGraph.size;
    const started = d.run({
      type: 'ToolExecutionStarted',
      sessionId: SID,
      opId: 'op-1',
      toolCallId: 'tc_1',
      toolName: 'read_file',
      toolParameters: {},
    });
    expect(started).toEqual({ events: [], effects: [] });
    const r = d.run(toolResult('op-1', 'tc_1', 'read_file'));
    expect(r).toEqual({ events: [], effects: [] });
    expect(d.state.messageGraph.size).toBe(size);
    expect(d.state.currentOperation?.pendingToolCalls.size).toBe(0);
  });

  it('deliberate_change_4_tool_started_after_cancel_reports_no_error', () => {
    const d = new Driver(createdState().state);
    d.run(userInput('first', 'op-1'));
    d.run(cancel());
    const r = d.run({
      type: 'ToolExecutionStarted',
      sessionId: SID,
      opId: 'op-1',
      toolCallId: 'tc_1',
      toolName: 'bash',
      toolParameters: {},
    });
    expect(r.events).toEqual([]);
  });

  it('deliberate_change_4_model_response_for_a_non_current_op_is_ignored', () => {
    const d = new Driver(createdState().state);
    d.run(userInput('A', 'op-A', 'u-A'));
    d.run(userInput('B', 'op-B', 'u-B'));
    d.run(response('op-A', 'a-A', [atext('A done')]));
    expect(d.state.currentOperation?.opId).toBe('op-B');
    const size = d.state.messageGraph.size;
    expect(d.run(response('op-A', 'a-A2', [atext('late duplicate')]))).toEqual({ events: [], effects: [] });
    expect(d.run({ type: 'ModelResponseError', sessionId: SID, opId: 'op-A', error: 'boom' })).toEqual({
      events: [],
      effects: [],
    });
    expect(d.state.messageGraph.size).toBe(size);
    expect(d.state.currentOperation?.opId).toBe('op-B');
  });

  it('deliberate_change_4_compaction_outcome_of_a_cancelled_op_is_ignored', () => {
    const d = new Driver(autoCompactState(4));
    d.run({ type: 'RequestCompaction', sessionId: SID, opId: 'op-c', model: SONNET });
    const c = d.run(cancel());
    expect(eventTypes(c)).toEqual(['CompactResult', 'OperationCancelled']);
    const size = d.state.messageGraph.size;
    const ok = d.run({
      type: 'CompactionComplete',
      sessionId: SID,
      opId: 'op-c',
      compactionId: 'c1',
      summaryMessageId: 's1',
      summary: 'late',
      compactedHeadMessageId: 'h',
      model: 'm',
      timestamp: 1,
    });
    expect(ok).toEqual({ events: [], effects: [] });
    expect(d.state.messageGraph.size).toBe(size);
    expect(d.state.messageGraph.compactionSummaryIds.size).toBe(0);
    expect(d.run({ type: 'CompactionFailed', sessionId: SID, opId: 'op-c', error: 'cancelled' })).toEqual({
      events: [],
      effects: [],
    });
  });
});

describe('deliberate change 5: lossless queue', () => {
  it('deliberate_change_5_queue_restored_exactly_on_replay', () => {
    const { state, created } = createdState();
    const d = new Driver(state);
    d.run(userInput('busy', 'op-1'));
    const image = {
      type: 'image' as const,
      image: {
        mimeType: 'image/png',
        source: { type: 'data_url' as const, dataUrl: 'data:image/png;base64,AAAA' },
      },
    };
    const model = { provider: 'openai', id: 'gpt-5' };
    d.run(userInput([image], 'op-2', 'u-2', model, 5));
    d.run(userInput([text('and this'), image], 'op-3', 'u-3', model, 6));
    d.run({
      type: 'DirectBashCommand',
      sessionId: SID,
      opId: 'op-4',
      messageId: 'u-4',
      command: 'ls',
      timestamp: 7,
    });
    const replayed = replayOf([created, ...d.log]);
    expect(replayed.queuedWork).toEqual(d.state.queuedWork);
    expect(replayed.queuedWork[0]).toEqual({
      kind: 'UserMessage',
      content: [image, text('\n\n'), text('and this'), image],
      opId: 'op-3',
      messageId: 'u-3',
      model,
      queuedAt: 6,
    });
    // draining the replayed queue starts the full message with its images and model
    const r = new Driver(replayed).run({ type: 'DrainQueuedWork', sessionId: SID });
    const call0 = effectsOf(r, 'CallModel')[0];
    expect(call0?.model).toEqual(model);
    const last = call0?.messages.at(-1);
    expect(last?.role === 'user' ? last.content : undefined).toEqual([
      image,
      text('\n\n'),
      text('and this'),
      image,
    ]);
  });
});

describe('deliberate change 6: interrupted operations are closed on resume', () => {
  it('deliberate_change_6_interrupted_agent_loop_closed_as_cancelled', () => {
    const { state, created } = createdState();
    const d = new Driver(state);
    d.run({ type: 'ToolSchemasAvailable', sessionId: SID, tools: TOOLS });
    d.run(userInput('go', 'op-1', 'u-1'));
    d.run(
      response('op-1', 'a-1', [
        callBlock(call('tc_read', 'read_file', { file_path: 'x' })),
        callBlock(call('tc_bash', 'bash', { command: 'rm x' })),
        callBlock(call('tc_bash2', 'bash', { command: 'rm y' })),
      ]),
    );
    d.run(userInput('queued meanwhile', 'op-2', 'u-2'));
    const requestId = d.state.pendingApproval!.requestId;
    // the process stops here; resume replays the log
    const log = [created, ...d.log];
    const resumed = replayOf(log);
    expect(resumed.currentOperation).toBeUndefined();
    expect(resumed.interruptedOperation?.opId).toBe('op-1');
    expect(resumed.interruptedOperation?.pendingApproval?.requestId).toBe(requestId);
    const rec = recoverInterruptedOperation(resumed, sequentialDeps());
    expect(rec.effects).toEqual([]);
    expect(eventTypes(rec)).toEqual([
      'ToolCallFailed',
      'ToolMessageAdded',
      'ToolCallFailed',
      'ToolMessageAdded',
      'ToolCallFailed',
      'ToolMessageAdded',
      'OperationCancelled',
    ]);
    expect(eventsOf(rec, 'ToolMessageAdded').map((e) => e.message.id)).toEqual([
      'cancelled_tc_bash',
      'cancelled_tc_read',
      'cancelled_tc_bash2',
    ]);
    expect(eventsOf(rec, 'ToolCallFailed').map((e) => [e.error, e.model])).toEqual([
      ["Tool 'bash' cancelled", SONNET],
      ["Tool 'read_file' cancelled", SONNET],
      ["Tool 'bash' cancelled", SONNET],
    ]);
    expect(eventsOf(rec, 'OperationCancelled')).toEqual([
      { type: 'OperationCancelled', opId: 'op-1', info: { pendingToolCalls: 3 }, reason: 'interrupted' },
    ]);
    expect(resumed.interruptedOperation).toBeUndefined();
    expect(resumed.cancelledOps.has('op-1')).toBe(true);
    // the queue was not popped; state equals the replay of log + recovery events
    expect(resumed.queuedWork.map((q) => q.opId)).toEqual(['op-2']);
    expect(json(stateToDurable(resumed))).toEqual(json(stateToDurable(replayOf([...log, ...rec.events]))));
    // a second recovery is a no-op; draining continues with a well-formed conversation
    expect(recoverInterruptedOperation(resumed, sequentialDeps())).toEqual({ events: [], effects: [] });
    const drain = new Driver(resumed).run({ type: 'DrainQueuedWork', sessionId: SID });
    const messages = effectsOf(drain, 'CallModel')[0]?.messages ?? [];
    expect(ids(messages)).toEqual([
      'u-1',
      'a-1',
      'cancelled_tc_bash',
      'cancelled_tc_read',
      'cancelled_tc_bash2',
      'u-2',
    ]);
  });

  it('deliberate_change_6_interrupted_compaction_and_direct_bash', () => {
    const compact = new Driver(autoCompactState(4));
    compact.run({ type: 'RequestCompaction', sessionId: SID, opId: 'op-c', model: SONNET });
    const r1 = recoverInterruptedOperation(replayOf(compact.log), sequentialDeps());
    expect(r1.events).toEqual([
      { type: 'CompactResult', result: { type: 'Cancelled' }, trigger: 'Manual' },
      { type: 'OperationCancelled', opId: 'op-c', info: { pendingToolCalls: 0 }, reason: 'interrupted' },
    ]);
    const bash = new Driver(freshState());
    bash.run({
      type: 'DirectBashCommand',
      sessionId: SID,
      opId: 'op-b',
      messageId: 'u-b',
      command: 'ls',
      timestamp: 1,
    });
    const r2 = recoverInterruptedOperation(replayOf(bash.log), sequentialDeps());
    expect(r2.events).toEqual([
      { type: 'OperationCancelled', opId: 'op-b', info: { pendingToolCalls: 1 }, reason: 'interrupted' },
    ]);
  });

  it('deliberate_change_6_completed_operations_leave_nothing_to_recover', () => {
    const d = new Driver(freshState());
    d.run(userInput('a', 'op-1'));
    d.run(response('op-1', 'a-1', [atext('done')]));
    d.run(userInput('b', 'op-2'));
    d.run(cancel());
    const s = replayOf(d.log);
    expect(s.interruptedOperation).toBeUndefined();
    expect(recoverInterruptedOperation(s, sequentialDeps())).toEqual({ events: [], effects: [] });
  });

  it('deliberate_change_6_remembered_approvals_survive_resume', () => {
    const { state, created } = createdState();
    const d = new Driver(state);
    d.run(userInput('go', 'op-1'));
    d.run(response('op-1', 'a-1', [callBlock(call('tc_1', 'bash', { command: 'ls' }))]));
    d.run(decided(d.state.pendingApproval!.requestId, 'Approved', { type: 'Tool', toolName: 'bash' }));
    d.run(response('op-1', 'a-2', [callBlock(call('tc_2', 'bash', { command: 'git status' }))]));
    const resumed = replayOf([created, ...d.log]);
    recoverInterruptedOperation(resumed, sequentialDeps());
    const config = resumed.sessionConfig!;
    prepareResumedState(resumed, {
      config: { ...resolveEffectiveConfig(config), systemPrompt: 'resolved prompt' },
      systemContext: {
        prompt: 'resolved prompt',
        environment: { workingDirectory: '/w', platform: 'linux', date: 'today' },
      },
    });
    expect(resumed.approvedTools.has('bash')).toBe(true);
    expect(resumed.approvedTools.has('read_file')).toBe(true);
    expect(resumed.cachedSystemContext?.environment?.workingDirectory).toBe('/w');
    expect(resumed.sessionConfig?.systemPrompt).toBe('resolved prompt');
    const next = new Driver(resumed);
    next.run(userInput('again', 'op-3'));
    const r = next.run(response('op-3', 'a-3', [callBlock(call('tc_3', 'bash', { command: 'rm -rf /' }))]));
    expect(effectTypes(r)).toEqual(['ExecuteTool']);
  });
});

describe('deliberate change 10: suspend cancels like Cancel, keeping the queue', () => {
  const busy = () => {
    const d = new Driver(createdState().state);
    d.run(userInput('go', 'op-1'));
    d.run(
      response('op-1', 'a-1', [
        callBlock(call('tc_1', 'read_file', { file_path: 'x' })),
        callBlock(call('tc_2', 'bash', { command: 'ls' })),
      ]),
    );
    d.run(userInput('queued', 'op-2', 'u-2'));
    return d;
  };

  it('deliberate_change_10_suspend_emits_cancel_events_without_popping_the_queue', () => {
    const a = busy();
    const b = busy();
    const viaCancel = a.run(cancel());
    const viaSuspend = cancelForSuspend(b.state, b.deps);
    expect(viaSuspend.effects).toEqual(viaCancel.effects);
    const expected = viaCancel.events
      .filter((e) => e.type !== 'QueuedWorkRemoved')
      .map((e) =>
        e.type === 'OperationCancelled'
          ? { ...e, info: { pendingToolCalls: e.info.pendingToolCalls }, reason: 'suspended' }
          : e,
      );
    expect(viaSuspend.events).toEqual(expected);
    expect(b.state.queuedWork.map((q) => q.opId)).toEqual(['op-2']);
    expect(a.state.queuedWork).toEqual([]);
    expect(b.state.currentOperation).toBeUndefined();
    expect(b.state.interruptedOperation).toBeUndefined();
    expect(cancelForSuspend(b.state, b.deps)).toEqual({ events: [], effects: [] });
  });
});

describe('deliberate change 11: ids and clock only via deps', () => {
  it('deliberate_change_11_generated_ids_and_time_come_from_deps', () => {
    const run = () => {
      const deps = sequentialDeps('x-', 1_234);
      const d = new Driver(withLoopOp(autoCompactState(4)), deps);
      const r1 = d.run(
        response('op-1', 'a-1', [
          callBlock(call('tc_1', 'bash', { command: 'ls' })),
          callBlock(call('tc_2', 'bash')),
        ]),
      );
      const denied = d.run(decided('x-1', 'Denied'));
      expect(eventsOf(denied, 'ApprovalRequested').map((e) => e.requestId)).toEqual(['x-3']);
      const r2 = d.run(cancel());
      const r3 = d.run(
        response('op-1', 'ignored', [atext('late')], {
          usage: { inputTokens: 0, outputTokens: 0, totalTokens: 1 },
        }),
      );
      d.state.currentOperation = undefined;
      const ctxOp = d.run(userInput('more', 'op-2'));
      const r4 = d.run(
        response('op-2', 'a-2', [atext('big')], {
          usage: { inputTokens: 0, outputTokens: 0, totalTokens: 95_000 },
          contextWindowTokens: 100_000,
        }),
      );
      const compactOp = eventsOf(r4, 'OperationStarted')[0]?.opId;
      const r5 = d.run({
        type: 'CompactionComplete',
        sessionId: SID,
        opId: compactOp ?? '',
        compactionId: 'c',
        summaryMessageId: 's',
        summary: 'sum',
        compactedHeadMessageId: 'h',
        model: 'm',
        timestamp: 9,
      });
      return { r1, r2, r3, ctxOp, r4, r5, compactOp };
    };
    const a = run();
    expect(a).toEqual(run());
    expect(eventsOf(a.r1, 'ApprovalRequested').map((e) => e.requestId)).toEqual(['x-1']);
    // x-2 was minted for the queued call and discarded; the queued call is prompted with x-3 on the denial
    expect(a.compactOp).toBe('x-4');
    const cont = effectsOf(a.r5, 'CallModel')[0];
    expect(cont?.opId).toBe('x-5');
    expect(cont?.messages.at(-1)?.timestamp).toBe(1_234);
  });

  it('deliberate_change_11_reducer_sources_never_read_the_clock_or_randomness', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const offenders: string[] = [];
    for (const dir of ['reducer', 'replay', 'state', 'graph']) {
      const walk = (p: string) => {
        for (const name of readdirSync(p)) {
          const full = join(p, name);
          if (statSync(full).isDirectory()) walk(full);
          else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && name !== 'deps.ts') {
            const src = readFileSync(full, 'utf8');
            if (/Date\.now|new Date\(\)|Math\.random|randomUUID|performance\.now/.test(src))
              offenders.push(full);
          }
        }
      };
      walk(join(root, dir));
    }
    expect(offenders).toEqual([]);
  });
});

describe('§11.5 decided: an approval decision without an operation', () => {
  it('approval_decided_without_operation_closes_the_queue', () => {
    const d = new Driver(freshState());
    d.run(approvalRequested('r1', call('tc_1', 'bash', { command: 'ls' })));
    d.run(approvalRequested('r2', call('tc_2', 'bash', { command: 'pwd' })));
    d.run(approvalRequested('r3', call('tc_3', 'bash', { command: 'id' })));
    expect(d.state.approvalQueue).toHaveLength(2);
    const r = d.run(decided('r1', 'Approved', { type: 'Tool', toolName: 'bash' }));
    expect(eventTypes(r)).toEqual(['ApprovalDecided', 'Error', 'ToolMessageAdded', 'ToolMessageAdded']);
    expect(r.effects).toEqual([]);
    expect(d.state.approvedTools.has('bash')).toBe(true);
    expect(d.state.pendingApproval).toBeUndefined();
    expect(d.state.approvalQueue).toEqual([]);
    expect(eventsOf(r, 'ToolMessageAdded').map((e) => e.message.id)).toEqual([
      'cancelled_tc_2',
      'cancelled_tc_3',
    ]);
  });

  it('approval_denied_without_operation_closes_the_queue', () => {
    const d = new Driver(freshState());
    d.run(approvalRequested('r1', call('tc_1', 'bash', { command: 'ls' })));
    d.run(approvalRequested('r2', call('tc_2', 'bash', { command: 'pwd' })));
    const r = d.run(decided('r1', 'Denied'));
    expect(eventsOf(r, 'ToolMessageAdded').map((e) => e.message.id)).toEqual([
      'denied_tc_1',
      'cancelled_tc_2',
    ]);
    expect(d.state.approvalQueue).toEqual([]);
    expect(d.state.pendingApproval).toBeUndefined();
  });
});
