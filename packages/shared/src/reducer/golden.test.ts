// spec §10.2: golden tests — exact event/effect sequences and state snapshots.
import { describe, expect, it } from 'vitest';
import { addPendingToolCall } from '../state/operations.js';
import { setWith } from '../state/shared-collections.js';
import { toSessionStateSnapshot } from '../state/snapshot.js';
import {
  approvalRequested,
  atext,
  call,
  callBlock,
  cancel,
  Driver,
  decided,
  effectTypes,
  eventTypes,
  freshState,
  response,
  SID,
  SONNET,
  toolResult,
  userInput,
  withLoopOp,
} from './test-support/fixtures.js';

describe('§10.2 golden', () => {
  it('golden_user_input_starts_agent_loop', () => {
    const d = new Driver(freshState());
    const r = d.run(userInput('Hello', 'op-1', 'u-1', SONNET, 100));
    const message = {
      role: 'user',
      id: 'u-1',
      parentMessageId: null,
      timestamp: 100,
      content: [{ type: 'text', text: 'Hello' }],
    };
    expect(r.events).toEqual([
      { type: 'UserMessageAdded', message },
      { type: 'OperationStarted', opId: 'op-1', kind: { type: 'AgentLoop' } },
    ]);
    expect(r.effects).toEqual([
      {
        type: 'CallModel',
        sessionId: SID,
        opId: 'op-1',
        model: SONNET,
        messages: [message],
        systemContext: undefined,
        tools: [],
      },
      { type: 'GenerateSessionTitle', sessionId: SID, opId: 'op-1', model: SONNET, userPrompt: 'Hello' },
    ]);
    const snap = toSessionStateSnapshot(d.state);
    expect(snap.messageCount).toBe(1);
    expect(snap.currentOperation).toEqual({
      opId: 'op-1',
      kind: { type: 'AgentLoop' },
      pendingToolCalls: [],
    });
    expect(snap.pendingApproval).toBeNull();
    expect(snap.approvedTools).toEqual([]);
    expect(d.state.cancelledOps.size).toBe(0);
  });

  it('golden_model_response_no_tools_completes', () => {
    const d = new Driver(freshState());
    d.run(userInput('Hello', 'op-1', 'u-1'));
    const r = d.run(response('op-1', 'a-1', [atext('Hi!')]));
    expect(r.events).toEqual([
      {
        type: 'AssistantMessageAdded',
        message: {
          role: 'assistant',
          id: 'a-1',
          parentMessageId: 'u-1',
          timestamp: 200,
          content: [atext('Hi!')],
        },
        model: SONNET,
      },
      { type: 'OperationCompleted', opId: 'op-1' },
    ]);
    expect(r.effects).toEqual([]);
    expect(d.state.messageGraph.size).toBe(2);
    expect(d.state.currentOperation).toBeUndefined();
  });

  it('golden_tool_approval_flow', () => {
    const d = new Driver(withLoopOp(freshState(), 'op-1', undefined));
    const bash = call('tc_1', 'bash', { command: 'ls' });
    const r1 = d.run(approvalRequested('req-1', bash));
    expect(r1.events).toEqual([{ type: 'ApprovalRequested', requestId: 'req-1', toolCall: bash }]);
    expect(r1.effects).toEqual([
      { type: 'RequestUserApproval', sessionId: SID, requestId: 'req-1', toolCall: bash },
    ]);
    const r2 = d.run(decided('req-1', 'Approved', { type: 'Tool', toolName: 'bash' }));
    expect(r2.events).toEqual([
      {
        type: 'ApprovalDecided',
        requestId: 'req-1',
        decision: 'Approved',
        remember: { type: 'Tool', toolName: 'bash' },
      },
    ]);
    expect(r2.effects).toEqual([{ type: 'ExecuteTool', sessionId: SID, opId: 'op-1', toolCall: bash }]);
    expect(d.state.pendingApproval).toBeUndefined();
    expect(d.state.approvedTools.has('bash')).toBe(true);
  });

  it('golden_full_conversation_flow', () => {
    const d = new Driver(freshState());
    const bash = call('tc_1', 'bash', { command: 'ls' });
    d.run(userInput('list files', 'op-1', 'u-1'));
    expect(d.state.messageGraph.size).toBe(1);
    const r1 = d.run(response('op-1', 'a-1', [atext('Listing'), callBlock(bash)]));
    expect(eventTypes(r1)).toEqual(['AssistantMessageAdded', 'ApprovalRequested']);
    expect(effectTypes(r1)).toEqual(['RequestUserApproval']);
    expect(d.state.messageGraph.size).toBe(2);
    const requestId = d.state.pendingApproval!.requestId;
    expect(requestId).toBe('gen-1');
    const r2 = d.run(decided(requestId, 'Approved'));
    expect(effectTypes(r2)).toEqual(['ExecuteTool']);
    const r3 = d.run({
      type: 'ToolExecutionStarted',
      sessionId: SID,
      opId: 'op-1',
      toolCallId: 'tc_1',
      toolName: 'bash',
      toolParameters: { command: 'ls' },
    });
    expect(r3.events).toEqual([
      { type: 'ToolCallStarted', id: 'tc_1', name: 'bash', parameters: { command: 'ls' }, model: SONNET },
    ]);
    const r4 = d.run(
      toolResult('op-1', 'tc_1', 'bash', {
        type: 'Bash',
        command: 'ls',
        stdout: 'a\nb\n',
        stderr: '',
        exitCode: 0,
        timedOut: false,
      }),
    );
    expect(eventTypes(r4)).toEqual(['ToolCallCompleted', 'ToolMessageAdded']);
    expect(effectTypes(r4)).toEqual(['CallModel']);
    expect(d.state.messageGraph.size).toBe(3);
    const r5 = d.run(response('op-1', 'a-2', [atext('Two files.')]));
    expect(eventTypes(r5)).toEqual(['AssistantMessageAdded', 'OperationCompleted']);
    expect(d.state.messageGraph.size).toBe(4);
    expect(d.state.currentOperation).toBeUndefined();
    expect(d.state.messageGraph.getActiveThread().map((m) => m.id)).toEqual([
      'u-1',
      'a-1',
      'tool_result_tc_1',
      'a-2',
    ]);
  });

  it('golden_cancellation_clears_state', () => {
    const d = new Driver(freshState());
    d.run(userInput('Hello', 'op-1', 'u-1'));
    const r = d.run(cancel());
    expect(r.events).toEqual([
      { type: 'OperationCancelled', opId: 'op-1', info: { pendingToolCalls: 0 }, reason: 'user' },
    ]);
    expect(r.effects).toEqual([{ type: 'CancelOperation', sessionId: SID, opId: 'op-1' }]);
    expect(d.state.currentOperation).toBeUndefined();
    expect(d.state.cancelledOps.has('op-1')).toBe(true);
  });

  it('golden_late_result_ignored_after_cancel', () => {
    const d = new Driver(withLoopOp(freshState()));
    addPendingToolCall(d.state, 'tc_1');
    d.run(cancel());
    withLoopOp(d.state);
    const r = d.run(toolResult('op-1', 'tc_1', 'test_tool'));
    expect(r).toEqual({ events: [], effects: [] });
  });

  it('golden_pre_approved_tool_executes_immediately', () => {
    const d = new Driver(withLoopOp(freshState()));
    d.state.approvedTools = setWith(d.state.approvedTools, 'bash');
    const bash = call('tc_1', 'bash', { command: 'ls' });
    const r = d.run(approvalRequested('req-1', bash));
    expect(r).toEqual({
      events: [],
      effects: [{ type: 'ExecuteTool', sessionId: SID, opId: 'op-1', toolCall: bash }],
    });
    expect(d.state.pendingApproval).toBeUndefined();
  });

  it('golden_approval_queuing', () => {
    const d = new Driver(withLoopOp(freshState()));
    const t1 = call('tc_1', 'tool_1');
    const t2 = call('tc_2', 'tool_2');
    d.run(approvalRequested('req-1', t1));
    d.run(approvalRequested('req-2', t2));
    const r = d.run(decided('req-1', 'Approved'));
    expect(r.events).toEqual([
      { type: 'ApprovalDecided', requestId: 'req-1', decision: 'Approved' },
      { type: 'ApprovalRequested', requestId: 'gen-1', toolCall: t2 },
    ]);
    expect(r.effects).toEqual([
      { type: 'ExecuteTool', sessionId: SID, opId: 'op-1', toolCall: t1 },
      { type: 'RequestUserApproval', sessionId: SID, requestId: 'gen-1', toolCall: t2 },
    ]);
    expect(d.state.pendingApproval).toEqual({ requestId: 'gen-1', toolCall: t2 });
    expect(d.state.approvalQueue).toHaveLength(0);
  });
});
