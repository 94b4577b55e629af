// spec §10.4: queue tests, plus the §3.2.6 snapshot and §4.3 rebuild rules.
import { describe, expect, it } from 'vitest';
import { InvalidActionError } from '../reducer/errors.js';
import {
  atext,
  cancel,
  Driver,
  eventsOf,
  eventTypes,
  freshState,
  response,
  SID,
  SONNET,
  text,
  userInput,
  withLoopOp,
} from '../reducer/test-support/fixtures.js';
import type { QueuedWorkItemSnapshot } from '../schemas/queue.js';
import type { QueuedWorkItem } from './app-state.js';
import { QUEUE_FALLBACK_MODEL, queueFromSnapshot, queueSnapshot } from './queue.js';

const bash = (command: string, opId: string) => ({
  type: 'DirectBashCommand' as const,
  sessionId: SID,
  opId,
  messageId: `m-${opId}`,
  command,
  timestamp: 5,
});

describe('§10.4 queue', () => {
  it('queues_user_input_when_busy', () => {
    const d = new Driver(withLoopOp(freshState()));
    const r = d.run(userInput('Hello', 'op-q', 'm-q'));
    expect(d.state.queuedWork).toEqual([
      {
        kind: 'UserMessage',
        content: [text('Hello')],
        opId: 'op-q',
        messageId: 'm-q',
        model: SONNET,
        queuedAt: 100,
      },
    ]);
    // Deliberate change (events.ts QueuedWorkAdded): the event carries the queued input, not the whole queue.
    expect(r.events).toEqual([
      {
        type: 'QueuedWorkAdded',
        item: {
          kind: 'UserMessage',
          content: 'Hello',
          queuedAt: 100,
          model: SONNET,
          opId: 'op-q',
          messageId: 'm-q',
          attachmentCount: 0,
          userContent: [text('Hello')],
        },
      },
    ]);
    expect(r.effects).toEqual([]);
    expect(d.state.messageGraph.size).toBe(0);
  });

  it('coalesces_user_messages_when_busy', () => {
    const d = new Driver(withLoopOp(freshState()));
    d.run(userInput('First', 'op-a', 'm-a'));
    const r = d.run(userInput('Second', 'op-b', 'm-b'));
    expect(d.state.queuedWork).toHaveLength(1);
    const item = d.state.queuedWork[0];
    const joined =
      item?.kind === 'UserMessage' ? item.content.map((c) => (c.type === 'text' ? c.text : '')).join('') : '';
    expect(joined).toBe('First\n\nSecond');
    expect(item?.opId).toBe('op-b');
    expect(item?.messageId).toBe('m-b');
    // Only the merged input is stored; replay merges it into the tail by the same rule.
    expect(eventsOf(r, 'QueuedWorkAdded').map((e) => e.item.content)).toEqual(['Second']);
  });

  it('queues_direct_bash_separately', () => {
    const d = new Driver(withLoopOp(freshState()));
    d.run(bash('ls', 'op-1b'));
    d.run(bash('pwd', 'op-2b'));
    expect(d.state.queuedWork.map((q) => (q.kind === 'DirectBash' ? q.command : ''))).toEqual(['ls', 'pwd']);
  });

  it('dequeues_next_item_after_completion', () => {
    const d = new Driver(withLoopOp(freshState()));
    d.run(userInput('Later', 'op-q', 'm-q'));
    const r = d.run(response('op-1', 'a-1', [atext('done')]));
    expect(d.state.queuedWork).toHaveLength(0);
    expect(d.state.currentOperation?.opId).toBe('op-q');
    expect(eventsOf(r, 'OperationStarted').map((e) => e.opId)).toEqual(['op-q']);
    expect(eventTypes(r)).toEqual([
      'AssistantMessageAdded',
      'OperationCompleted',
      'QueuedWorkRemoved',
      'UserMessageAdded',
      'OperationStarted',
    ]);
    // the queued time becomes the message timestamp (§3.2.5)
    expect(d.state.messageGraph.get('m-q')?.timestamp).toBe(100);
  });

  it('rejects_edit_and_compaction_when_busy', () => {
    const d = new Driver(withLoopOp(freshState()));
    const before = JSON.stringify([...d.state.operationModels]);
    const edit = () =>
      d.run({
        type: 'UserEditedMessage',
        sessionId: SID,
        messageId: 'x',
        newContent: [text('y')],
        opId: 'op-e',
        newMessageId: 'm-e',
        model: SONNET,
        timestamp: 1,
      });
    const compact = () => d.run({ type: 'RequestCompaction', sessionId: SID, opId: 'op-c', model: SONNET });
    expect(edit).toThrow(InvalidActionError);
    expect(compact).toThrow(InvalidActionError);
    try {
      edit();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidActionError);
      expect((e as InvalidActionError).kind).toBe('OperationInFlight');
      expect((e as InvalidActionError).code).toBe('INVALID_ACTION');
    }
    try {
      compact();
    } catch (e) {
      expect((e as InvalidActionError).kind).toBe('OperationInFlight');
    }
    expect(d.state.currentOperation?.opId).toBe('op-1');
    expect(JSON.stringify([...d.state.operationModels])).toBe(before);
    expect(d.log).toEqual([]);
  });

  it('cancel_pops_queued_item_without_starting_it', () => {
    const d = new Driver(withLoopOp(freshState()));
    d.run(userInput('Queued', 'op-q', 'm-q'));
    const r = d.run(cancel());
    expect(d.state.currentOperation).toBeUndefined();
    expect(d.state.queuedWork).toHaveLength(0);
    expect(eventsOf(r, 'OperationCancelled')[0]?.info.poppedQueuedItem?.opId).toBe('op-q');
    expect(eventTypes(r)).not.toContain('OperationStarted');
  });

  it('dequeue_removes_head_without_starting', () => {
    const d = new Driver(withLoopOp(freshState()));
    d.run(userInput('Queued', 'op-q', 'm-q'));
    const r = d.run({ type: 'DequeueQueuedItem', sessionId: SID });
    expect(d.state.queuedWork).toHaveLength(0);
    expect(d.state.currentOperation?.opId).toBe('op-1');
    expect(r.events).toEqual([{ type: 'QueuedWorkRemoved', opId: 'op-q' }]);
  });

  it('dequeue on an empty queue fails with QueueEmpty and changes nothing', () => {
    const d = new Driver(freshState());
    expect(() => d.run({ type: 'DequeueQueuedItem', sessionId: SID })).toThrow(
      expect.objectContaining({ kind: 'QueueEmpty' }),
    );
  });

  it('drain starts the head when idle and does nothing when busy or empty', () => {
    const d = new Driver(withLoopOp(freshState()));
    d.run(userInput('Queued', 'op-q', 'm-q'));
    expect(d.run({ type: 'DrainQueuedWork', sessionId: SID })).toEqual({ events: [], effects: [] });
    d.state.currentOperation = undefined;
    const r = d.run({ type: 'DrainQueuedWork', sessionId: SID });
    expect(eventTypes(r)).toEqual(['QueuedWorkRemoved', 'UserMessageAdded', 'OperationStarted']);
    expect(d.run({ type: 'DrainQueuedWork', sessionId: SID }).events).toEqual([]);
  });
});

describe('§3.2.6 / §4.3 queue snapshots', () => {
  const image = {
    type: 'image' as const,
    image: {
      mimeType: 'image/png',
      source: { type: 'data_url' as const, dataUrl: 'data:image/png;base64,AAAA' },
    },
  };

  it('snapshots text, attachments and bash items', () => {
    const items: QueuedWorkItem[] = [
      {
        kind: 'UserMessage',
        content: [
          text('a'),
          image,
          text('b'),
          { type: 'command_execution', command: 'x', stdout: '', stderr: '', exitCode: 0 },
        ],
        opId: 'o1',
        messageId: 'm1',
        model: SONNET,
        queuedAt: 7,
      },
      { kind: 'DirectBash', command: 'ls', opId: 'o2', messageId: 'm2', queuedAt: 8 },
    ];
    const snap = queueSnapshot(items);
    expect(snap[0]).toMatchObject({ kind: 'UserMessage', content: 'ab', attachmentCount: 1, model: SONNET });
    expect(snap[0]?.userContent).toEqual(items[0]?.kind === 'UserMessage' ? items[0].content : undefined);
    expect(snap[0]?.userContent).not.toBe(items[0]?.kind === 'UserMessage' ? items[0].content : undefined);
    expect(snap[1]).toEqual({
      kind: 'DirectBash',
      content: 'ls',
      queuedAt: 8,
      opId: 'o2',
      messageId: 'm2',
      attachmentCount: 0,
    });
    expect(queueFromSnapshot(snap)).toEqual(items);
  });

  it('merging after a snapshot never changes the already emitted snapshot', () => {
    const d = new Driver(withLoopOp(freshState()));
    const r1 = d.run(userInput('First', 'op-a', 'm-a'));
    d.run(userInput('Second', 'op-b', 'm-b'));
    expect(eventsOf(r1, 'QueuedWorkAdded')[0]?.item.userContent).toEqual([text('First')]);
  });

  it('falls back to the lossy rule for snapshots without userContent', () => {
    const legacy: QueuedWorkItemSnapshot[] = [
      { kind: 'UserMessage', content: '  ', queuedAt: 1, opId: 'o1', messageId: 'm1', attachmentCount: 1 },
      { content: 'hello', queuedAt: 2, opId: 'o2', messageId: 'm2', attachmentCount: 0 },
      { kind: 'DirectBash', content: 'pwd', queuedAt: 3, opId: 'o3', messageId: 'm3', attachmentCount: 0 },
    ];
    expect(queueFromSnapshot(legacy)).toEqual([
      {
        kind: 'UserMessage',
        content: [text('hello')],
        opId: 'o2',
        messageId: 'm2',
        model: QUEUE_FALLBACK_MODEL,
        queuedAt: 2,
      },
      { kind: 'DirectBash', command: 'pwd', opId: 'o3', messageId: 'm3', queuedAt: 3 },
    ]);
  });

  it('whitespace-only tail gets no separator when merged', () => {
    const d = new Driver(withLoopOp(freshState()));
    d.run(userInput('   ', 'op-a', 'm-a'));
    d.run(userInput('Second', 'op-b', 'm-b'));
    const item = d.state.queuedWork[0];
    expect(item?.kind === 'UserMessage' ? item.content : []).toEqual([text('   '), text('Second')]);
  });
});
