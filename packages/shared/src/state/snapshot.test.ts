import { describe, expect, it } from 'vitest';
import {
  approvalRequested,
  atext,
  call,
  createdState,
  Driver,
  response,
  SID,
  schema,
  userInput,
} from '../reducer/test-support/fixtures.js';
import { SessionStateSnapshotSchema } from '../schemas/snapshot.js';
import { toSessionStateSnapshot } from './snapshot.js';

describe('toSessionStateSnapshot (api.md getSessionState)', () => {
  it('is a plain, structured-cloneable, schema-valid view of the session', () => {
    const d = new Driver(createdState().state);
    d.run({ type: 'ToolSchemasAvailable', sessionId: SID, tools: [schema('bash'), schema('grep')] });
    d.run(userInput('one', 'op-1', 'u-1'));
    d.run(
      response('op-1', 'a-1', [atext('reply')], {
        usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
      }),
    );
    d.run(userInput('two', 'op-2', 'u-2'));
    d.run(userInput('queued', 'op-3', 'u-3'));
    d.run(approvalRequested('r1', call('tc_1', 'bash', { command: 'ls' })));
    d.run(approvalRequested('r2', call('tc_2', 'bash', { command: 'pwd' })));
    d.run({ type: 'SessionTitleGenerated', sessionId: SID, title: 'A title' });
    const snap = toSessionStateSnapshot(d.state);
    expect(SessionStateSnapshotSchema.parse(snap)).toEqual(snap);
    expect(structuredClone(snap)).toEqual(snap);
    expect(snap.messages.map((m) => m.id)).toEqual(['u-1', 'a-1', 'u-2']);
    expect(snap.messageCount).toBe(3);
    expect(snap.activeMessageId).toBe('u-2');
    expect(snap.title).toBe('A title');
    expect(snap.primaryAgentId).toBe('normal');
    expect(snap.currentOperation).toEqual({
      opId: 'op-2',
      kind: { type: 'AgentLoop' },
      pendingToolCalls: [],
    });
    expect(snap.pendingApproval).toEqual({
      requestId: 'r1',
      toolCall: call('tc_1', 'bash', { command: 'ls' }),
    });
    expect(snap.approvalQueueLength).toBe(1);
    expect(snap.queuedWork.map((q) => q.content)).toEqual(['queued']);
    expect(snap.approvedTools).toContain('read_file');
    expect(snap.usageTotals).toEqual({ inputTokens: 1, outputTokens: 2, totalTokens: 3 });
    expect(snap.eventSequence).toBe(1);
    expect(snap.toolNames).toEqual(['bash', 'grep']);
    // the snapshot's containers are its own
    snap.messages.pop();
    snap.approvedTools.length = 0;
    expect(d.state.messageGraph.getActiveThread()).toHaveLength(3);
    expect(d.state.approvedTools.size).toBeGreaterThan(0);
  });
});
