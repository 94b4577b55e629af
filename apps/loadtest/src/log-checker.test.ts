import type { SessionEvent, StoredEvent } from '@shoal/shared';
import { describe, expect, it } from 'vitest';
import { SessionLogChecker, type Violation } from './log-checker.js';

const SID = 's-1';
const started = (opId: string): SessionEvent => ({
  type: 'OperationStarted',
  opId,
  kind: { type: 'AgentLoop' },
});
const completed = (opId: string): SessionEvent => ({ type: 'OperationCompleted', opId });
const error = (message: string): SessionEvent => ({ type: 'Error', message });
const user = (text: string): SessionEvent => ({
  type: 'UserMessageAdded',
  message: {
    role: 'user',
    id: `m-${text}`,
    parentMessageId: null,
    timestamp: 1,
    content: [{ type: 'text', text }],
  },
});

/** A well-formed log: an input, its operation, its end. */
function goodLog(token: string): StoredEvent[] {
  return [user(`hello\n${token}`), started('op-1'), error('x'), completed('op-1')].map((event, seq) => ({
    seq,
    event,
  }));
}

function feed(checker: SessionLogChecker, events: StoredEvent[]): Violation[] {
  return events.flatMap((e) => checker.onEvent(e));
}

describe('SessionLogChecker', () => {
  it('passes a contiguous log whose acknowledged input and operation are all there', () => {
    const c = new SessionLogChecker(SID);
    c.expectInput('[lt-0-0]');
    c.acknowledgeInput('[lt-0-0]');
    expect(feed(c, goodLog('[lt-0-0]'))).toEqual([]);
    expect(c.endOfTurn()).toEqual([]);
    expect(c.finish()).toEqual([]);
    expect(c.lastSeq).toBe(3);
  });

  it('accepts an input whose event arrived before its call resolved', () => {
    const c = new SessionLogChecker(SID);
    c.expectInput('[lt-0-0]');
    feed(c, goodLog('[lt-0-0]'));
    c.acknowledgeInput('[lt-0-0]');
    expect(c.endOfTurn()).toEqual([]);
  });

  it('catches a gap, once', () => {
    const c = new SessionLogChecker(SID);
    const log = goodLog('t');
    const v = feed(c, [log[0]!, log[2]!, log[3]!]);
    // the missing event is the operation's start, so its end has no start either
    expect(v.map((x) => x.kind)).toEqual(['gap', 'endWithoutStart']);
    expect(v[0]!.message).toContain('expected seq 1, got 2');
    expect(v[0]!.sessionId).toBe(SID);
  });

  it('catches a duplicate', () => {
    const c = new SessionLogChecker(SID);
    const log = goodLog('t');
    const v = feed(c, [log[0]!, log[1]!, log[1]!, log[2]!, log[3]!]);
    expect(v.map((x) => x.kind)).toEqual(['duplicate']);
    expect(v[0]!.message).toContain('seq 1 (OperationStarted) again');
  });

  it('catches a log that does not start at 0', () => {
    const c = new SessionLogChecker(SID);
    expect(c.onEvent({ seq: 1, event: started('op') }).map((x) => x.kind)).toEqual(['gap']);
  });

  it('catches an acknowledged input that never appears', () => {
    const c = new SessionLogChecker(SID);
    c.expectInput('[lt-0-7]');
    c.acknowledgeInput('[lt-0-7]');
    feed(c, goodLog('[lt-0-6]'));
    const v = c.endOfTurn();
    expect(v.map((x) => x.kind)).toEqual(['missingInput']);
    expect(v[0]!.message).toContain('[lt-0-7]');
  });

  it('owes nothing for an input whose call was refused', () => {
    const c = new SessionLogChecker(SID);
    c.expectInput('[lt-0-1]');
    c.forgetInput('[lt-0-1]');
    expect(c.endOfTurn()).toEqual([]);
  });

  it('catches an approval that was never answered, and accepts one that was', () => {
    const c = new SessionLogChecker(SID);
    const toolCall = { id: 't1', name: 'bash', parameters: {} };
    feed(c, [
      { seq: 0, event: { type: 'ApprovalRequested', requestId: 'r1', toolCall } },
      { seq: 1, event: { type: 'ApprovalRequested', requestId: 'r2', toolCall } },
      { seq: 2, event: { type: 'ApprovalDecided', requestId: 'r1', decision: 'Approved' } },
    ]);
    const v = c.endOfTurn();
    expect(v.map((x) => x.kind)).toEqual(['unansweredApproval']);
    expect(v[0]!.message).toContain('r2');
  });

  it('catches a second end, an end without a start, a second start and an operation that never ends', () => {
    const c = new SessionLogChecker(SID);
    const v = feed(
      c,
      [started('a'), completed('a'), completed('a'), completed('ghost'), started('b'), started('b')].map(
        (event, seq) => ({
          seq,
          event,
        }),
      ),
    );
    expect(v.map((x) => x.kind)).toEqual(['endWithoutStart', 'endWithoutStart', 'duplicateStart']);
    expect(c.finish().map((x) => x.kind)).toEqual(['unendedOperation']);
  });

  it('compares the stored log with what was seen live, key order aside', () => {
    const c = new SessionLogChecker(SID);
    const log = goodLog('t');
    feed(c, log.slice(0, 3));
    const reordered = log.map(({ seq, event }) => ({
      seq,
      event: Object.fromEntries(Object.entries(event).reverse()) as SessionEvent,
    }));
    expect(c.compareWithStored(reordered)).toEqual([]); // the extra stored event is checked like a live one
    expect(c.finish()).toEqual([]);
  });

  it('catches a stored log that differs from what was seen live', () => {
    const live = goodLog('t');
    const c = new SessionLogChecker(SID);
    feed(c, live);
    const changed = live.map((e) => (e.seq === 2 ? { seq: 2, event: error('y') } : e));
    expect(c.compareWithStored(changed).map((x) => x.kind)).toEqual(['logMismatch']);
    expect(c.compareWithStored(live.slice(0, 2))[0]!.message).toContain(
      '4 events were seen live but the store has only 2',
    );
  });

  it('checks events stored after the last live read like live ones', () => {
    const c = new SessionLogChecker(SID);
    const log = goodLog('t');
    feed(c, log);
    const late = [...log, { seq: 4, event: completed('op-1') }];
    expect(c.compareWithStored(late).map((x) => x.kind)).toEqual(['endWithoutStart']);
  });
});
