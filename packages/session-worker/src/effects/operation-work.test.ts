import { describe, expect, it } from 'vitest';
import { settle, waitUntil } from '../test-support/async.js';
import { bareInterpreter, callModelEffect } from '../test-support/bare-interpreter.js';
import { ProviderDouble, textResponse, untilAborted } from '../test-support/provider-double.js';

describe('the work of each operation (spec §5.0)', () => {
  it('an interpreter whose operations are over keeps no controller list (issue 5: heap per idle session)', async () => {
    const provider = new ProviderDouble('double', undefined, () => textResponse('reply'));
    const { interpreter, posted } = bareInterpreter(provider);
    const internals = (
      interpreter as unknown as { ops: { inFlight: boolean; work?: { opId?: string; running: number }[] } }
    ).ops;
    const call = (opId: string) => interpreter.run(callModelEffect(opId));
    call('op1');
    call('op2');
    expect(internals.work?.map((w) => [w.opId, w.running])).toEqual([
      ['op1', 1],
      ['op2', 1],
    ]);
    await waitUntil(() => posted.length === 2, 'both completions are posted');
    await settle();
    expect(internals.inFlight).toBe(false);
    interpreter.observeEvents([{ type: 'OperationCompleted', opId: 'op1' }]);
    expect(internals.work?.map((w) => w.opId)).toEqual(['op2']); // op2 is still open
    interpreter.observeEvents([{ type: 'OperationCompleted', opId: 'unknown' }]);
    interpreter.run({ type: 'CancelOperation', sessionId: 's1', opId: 'op2' });
    expect(internals.work).toBeUndefined();
    interpreter.observeEvents([
      { type: 'OperationCancelled', opId: 'op2', info: { pendingToolCalls: 0 }, reason: 'user' },
    ]);
    expect(internals.work).toBeUndefined(); // reading never allocates
  });

  it('work that outlives its operation stays reachable by abortAll until it settles', async () => {
    const provider = new ProviderDouble('double', undefined, (c) => untilAborted(c.req.signal));
    const { interpreter, posted } = bareInterpreter(provider);
    const internals = (interpreter as unknown as { ops: { inFlight: boolean; work?: unknown[] } }).ops;
    interpreter.run(callModelEffect('op1'));
    const turn = await provider.nthCall('turn');
    interpreter.observeEvents([{ type: 'OperationCompleted', opId: 'op1' }]); // forgotten, still running
    expect(internals.inFlight).toBe(true);
    expect(turn.req.signal.aborted).toBe(false);
    interpreter.abortAll();
    expect(turn.req.signal.aborted).toBe(true);
    await waitUntil(() => posted.length === 1, 'the aborted call reports its error');
    expect(internals.inFlight).toBe(false);
    expect(internals.work).toBeUndefined();
  });

  it('gives every operation its own signal; a cancelled one never reaches the next', async () => {
    const provider = new ProviderDouble('double', undefined, () => textResponse('reply'));
    const { interpreter, posted } = bareInterpreter(provider);
    interpreter.run(callModelEffect('op1'));
    await waitUntil(() => posted.length === 1, 'op1 completes');
    interpreter.observeEvents([{ type: 'OperationCompleted', opId: 'op1' }]);
    interpreter.run(callModelEffect('op2'));
    interpreter.run({ type: 'CancelOperation', sessionId: 's1', opId: 'op2' });
    await waitUntil(() => posted.length === 2, 'op2 reports');
    interpreter.run(callModelEffect('op3'));
    const [first, second, third] = await Promise.all([0, 1, 2].map((n) => provider.nthCall('turn', n)));
    expect(first!.req.signal.aborted).toBe(false);
    expect(second!.req.signal.aborted).toBe(true);
    expect(third!.req.signal.aborted).toBe(false);
    expect(new Set([first!.req.signal, second!.req.signal, third!.req.signal]).size).toBe(3);
  });
});
