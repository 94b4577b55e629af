import { describe, expect, it } from 'vitest';
import { type BatchOp, GroupCommit, type GroupCommitOptions, PIPELINE_MIN_WAVE } from './group-commit.js';

const put = (k: string): BatchOp => ({ type: 'put', key: Buffer.from(k), value: Buffer.alloc(0) });
const names = (ops: BatchOp[]): string[] => ops.map((o) => o.key.toString());

interface Gate {
  promise: Promise<void>;
  open(): void;
  fail(err: Error): void;
}
function gate(): Gate {
  let open!: () => void;
  let fail!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    open = res;
    fail = rej;
  });
  return { promise, open, fail };
}

function harness(opts?: GroupCommitOptions) {
  const writes: string[][] = [];
  const gates: Gate[] = [];
  const failedSessions: string[][] = [];
  const gc = new GroupCommit(
    (ops) => {
      writes.push(names(ops));
      const g = gate();
      gates.push(g);
      return g.promise;
    },
    {
      mapError: (err) => (err instanceof Error ? err : new Error(String(err))),
      onBatchFailed: (sessions, err) => {
        failedSessions.push([...sessions].sort());
        return new Error(`dependent: ${err.message}`);
      },
    },
    opts,
  );
  const nextWrite = async (n: number): Promise<Gate> => {
    while (gates.length < n) await new Promise((r) => setImmediate(r));
    return gates[n - 1]!;
  };
  return { gc, writes, nextWrite, failedSessions };
}

describe('GroupCommit', () => {
  it('writes everything enqueued in one turn as one batch, in FIFO order', async () => {
    const { gc, writes, nextWrite } = harness();
    const done = [
      gc.enqueue('a', [put('a1'), put('a2')]),
      gc.enqueue('b', [put('b1')]),
      gc.enqueue('a', [put('a3')]),
    ];
    (await nextWrite(1)).open();
    await Promise.all(done);
    expect(writes).toEqual([['a1', 'a2', 'b1', 'a3']]);
    expect(gc.stats).toEqual({ batches: 1, entries: 3, ops: 4 });
  });

  it('accumulates the next group while a batch is in flight', async () => {
    const { gc, writes, nextWrite } = harness();
    const first = gc.enqueue('a', [put('a1')]);
    const w1 = await nextWrite(1);
    const later = [gc.enqueue('b', [put('b1')]), gc.enqueue('c', [put('c1')])];
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(1); // nothing starts while the first write is in flight
    w1.open();
    await first;
    (await nextWrite(2)).open();
    await Promise.all(later);
    expect(writes).toEqual([['a1'], ['b1', 'c1']]);
  });

  it('rejects a failed batch and the queued entries of its sessions, and keeps the others', async () => {
    const { gc, writes, nextWrite, failedSessions } = harness();
    const a1 = gc.enqueue('a', [put('a1')]);
    const b1 = gc.enqueue('b', [put('b1')]);
    const w1 = await nextWrite(1);
    const a2 = gc.enqueue('a', [put('a2')]);
    const c1 = gc.enqueue('c', [put('c1')]);
    w1.fail(new Error('disk full'));
    await expect(a1).rejects.toThrow('disk full');
    await expect(b1).rejects.toThrow('disk full');
    await expect(a2).rejects.toThrow('dependent: disk full');
    expect(failedSessions).toEqual([['a', 'b']]);
    (await nextWrite(2)).open();
    await c1;
    expect(writes[1]).toEqual(['c1']);
  });

  it('hands out increasing tickets and reports them settled only once their batch settled', async () => {
    const { gc, nextWrite } = harness();
    const settledAt: number[] = [];
    const hooks = (gc as unknown as { hooks: { onSettled?: () => void } }).hooks;
    hooks.onSettled = () => settledAt.push(gc.settledThrough);
    const a1 = gc.enqueue('a', [put('a1')]);
    const t1 = gc.lastTicket;
    const w1 = await nextWrite(1);
    const b1 = gc.enqueue('b', [put('b1')]);
    const t2 = gc.lastTicket;
    expect(t2).toBeGreaterThan(t1);
    expect(gc.settledThrough).toBeLessThan(t1); // in flight is not settled
    w1.open();
    await a1;
    expect(gc.settledThrough).toBe(t1);
    expect(gc.settledThrough).toBeLessThan(t2);
    const w2 = await nextWrite(2);
    w2.fail(new Error('disk full'));
    await expect(b1).rejects.toThrow('disk full');
    expect(gc.settledThrough).toBe(t2); // a failed batch is settled too
    expect(settledAt).toEqual([t1, t2]);
  });

  it('treats a writer that throws synchronously like a failed write', async () => {
    const gc = new GroupCommit(
      () => {
        throw new Error('sync boom');
      },
      { mapError: (e) => e as Error, onBatchFailed: (_s, e) => e },
    );
    await expect(gc.enqueue('a', [put('a')])).rejects.toThrow('sync boom');
    await gc.whenIdle();
  });

  it('whenIdle waits for queued and in-flight work', async () => {
    const { gc, nextWrite } = harness();
    await gc.whenIdle();
    const p = gc.enqueue('a', [put('a')]);
    let idle = false;
    const w = gc.whenIdle().then(() => {
      idle = true;
    });
    (await nextWrite(1)).open();
    await p;
    await w;
    expect(idle).toBe(true);
  });
});

describe('GroupCommit with flushAtOps', () => {
  it('starts a write as soon as enough ops wait, and groups the rest of the turn behind it', async () => {
    const { gc, writes, nextWrite } = harness({ flushAtOps: 2 });
    const done = ['a', 'b', 'c', 'd'].map((k) => gc.enqueue(k, [put(k)]));
    expect(writes).toEqual([['a', 'b']]); // synchronously, before the turn ended
    (await nextWrite(1)).open();
    (await nextWrite(2)).open();
    expect(writes[1]).toEqual(['c', 'd']);
    await Promise.all(done);
  });
});

describe('GroupCommit pipelining large waves (the default)', () => {
  const keys = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  it('keeps a wave below PIPELINE_MIN_WAVE in one batch per turn', async () => {
    const { gc, writes, nextWrite } = harness();
    for (const wave of ['a', 'b']) {
      const done = keys(wave, PIPELINE_MIN_WAVE - 1).map((k) => gc.enqueue(k, [put(k)]));
      (await nextWrite(writes.length + 1)).open();
      await Promise.all(done);
      expect(writes.at(-1)).toEqual(keys(wave, PIPELINE_MIN_WAVE - 1));
    }
    expect(writes).toHaveLength(2);
  });

  it('after a large wave, writes the first half of the next wave at once and the rest behind it', async () => {
    const { gc, writes, nextWrite } = harness();
    const n = PIPELINE_MIN_WAVE + 2;
    const first = keys('a', n).map((k) => gc.enqueue(k, [put(k)]));
    expect(writes).toEqual([]); // the first wave waits for the end of the turn: nothing to go by yet
    (await nextWrite(1)).open();
    await Promise.all(first);
    expect(writes[0]).toHaveLength(n);
    const wave = keys('b', n).map((k) => gc.enqueue(k, [put(k)]));
    expect(writes[1]).toEqual(keys('b', n / 2)); // synchronously, mid-turn
    (await nextWrite(2)).open();
    (await nextWrite(3)).open();
    await Promise.all(wave);
    expect(writes[2]).toEqual(keys('b', n).slice(n / 2)); // FIFO across the two batches
  });
});
