import { describe, expect, it } from 'vitest';
import { Driver, freshState, SID, userInput, withLoopOp } from '../reducer/test-support/fixtures.js';
import { replayEvents } from '../replay/apply-event.js';
import type { SessionEvent } from '../schemas/events.js';
import { createAppState } from './app-state.js';
import { queueSnapshot } from './queue.js';

describe('queued input stores what changed, not the whole queue', () => {
  it('1,500 merged inputs of 1 KB write a log linear in their size, and replay rebuilds the queue', () => {
    const d = new Driver(withLoopOp(freshState()));
    const events: SessionEvent[] = [];
    const input = 'x'.repeat(1024);
    for (let i = 0; i < 1500; i++) events.push(...d.run(userInput(input, `op-${i}`, `m-${i}`)).events);
    const bytes = events.reduce((n, e) => n + JSON.stringify(e).length, 0);
    // Each input is stored once (twice over: text and userContent): ~3 MB, where the whole-queue form made 2.3 GB.
    expect(bytes).toBeLessThan(1500 * 1024 * 3);
    const replayed = createAppState(SID);
    replayEvents(replayed, events);
    expect(queueSnapshot(replayed.queuedWork)).toEqual(queueSnapshot(d.state.queuedWork));
    expect(replayed.queuedWork).toHaveLength(1);
  });

  it('still reads old logs that carry the whole queue in QueueUpdated', () => {
    const d = new Driver(withLoopOp(freshState()));
    d.run(userInput('First', 'op-a', 'm-a'));
    d.run(userInput('Second', 'op-b', 'm-b'));
    const legacy: SessionEvent[] = [{ type: 'QueueUpdated', queue: queueSnapshot(d.state.queuedWork) }];
    const replayed = createAppState(SID);
    replayEvents(replayed, legacy);
    expect(replayed.queuedWork).toEqual(d.state.queuedWork);
    // A new-form event after an old one continues from the old snapshot.
    replayEvents(replayed, [{ type: 'QueuedWorkRemoved', opId: 'op-b' }]);
    expect(replayed.queuedWork).toEqual([]);
  });
});
