import type { ShardCommand, StoreOp } from '@shoal/session-worker';
import type { SessionEvent } from '@shoal/shared';
import { MemoryEventStore } from '@shoal/store';
import { describe, expect, it } from 'vitest';
import { PublishingStore } from '../events/publishing-store.js';
import { SubscriptionHub } from '../events/subscription-hub.js';
import type { ShardLink } from '../shards/shard-link.js';
import { StoreRpcServer } from './store-rpc-server.js';

type StoreReply = Extract<ShardCommand, { t: 'storeReply' }>;

const userMessage = (text: string, id: string): SessionEvent => ({
  type: 'UserMessageAdded',
  message: {
    role: 'user',
    id,
    parentMessageId: null,
    timestamp: 1_700_000_000,
    content: [{ type: 'text', text }],
  },
});

/** A server over a real memory store, and a link that hands each reply to whoever awaits its id. */
function setup() {
  const store = new MemoryEventStore();
  const hub = new SubscriptionHub(store, { eventBuffer: 16, deltaBuffer: 16 }, () => undefined);
  const server = new StoreRpcServer(new PublishingStore(store, hub));
  const replies = new Map<number, (r: StoreReply) => void>();
  const link: Pick<ShardLink, 'send'> = {
    send: (cmd) => {
      if (cmd.t === 'storeReply') replies.get(cmd.id)?.(cmd);
    },
  };
  let nextId = 1;
  const ask = (op: string, args: unknown[]): Promise<StoreReply> => {
    const id = nextId++;
    const reply = new Promise<StoreReply>((resolve) => replies.set(id, resolve));
    server.serve(link, { t: 'store', id, op: op as StoreOp, args });
    return reply;
  };
  return { store, hub, ask };
}

describe('StoreRpcServer', () => {
  it('serves every store operation of the protocol against the store', async () => {
    const { ask } = setup();
    expect(await ask('createSession', ['s', { tenant: 't' }, [userMessage('a', 'u0')]])).toMatchObject({
      ok: true,
    });
    expect(await ask('append', ['s', [userMessage('b', 'u1')], { expectedNextSeq: 1 }])).toMatchObject({
      ok: true,
      value: [1],
    });
    const loaded = await ask('loadEventsAfter', ['s', 0, { limit: 5 }]);
    expect(loaded.ok && (loaded.value as { seq: number }[]).map((e) => e.seq)).toEqual([1]);
    expect(await ask('sessionExists', ['s'])).toMatchObject({ ok: true, value: true });
    expect(await ask('sessionExists', ['nobody'])).toMatchObject({ ok: true, value: false });
    expect(await ask('saveSnapshot', ['s', 1, { n: 1 }])).toMatchObject({ ok: true });
    const snap = await ask('loadLatestSnapshotEncoded', ['s']);
    expect(snap.ok && (snap.value as { seq: number }).seq).toBe(1);
  });

  it('publishes an append to the session subscribers once the store has acknowledged it', async () => {
    const { ask, hub } = setup();
    await ask('createSession', ['s', undefined, undefined]);
    const sub = hub.subscribeEvents('s', undefined);
    await ask('append', ['s', [userMessage('x', 'u0')], undefined]);
    const first = await sub[Symbol.asyncIterator]().next();
    expect(first.value).toMatchObject({ seq: 0, event: { type: 'UserMessageAdded' } });
    await sub.close();
  });

  it('refuses an operation the protocol does not have', async () => {
    const { ask } = setup();
    for (const op of ['deleteSession', 'close', 'constructor', '__proto__', 'toString']) {
      expect(await ask(op, ['s'])).toEqual({
        t: 'storeReply',
        id: expect.any(Number),
        ok: false,
        error: { code: 'SESSION', message: `unknown store op ${op}` },
      });
    }
  });

  it('refuses malformed arguments before the store is touched', async () => {
    const { ask, store } = setup();
    await ask('createSession', ['s', undefined, undefined]);
    const bad: [StoreOp, unknown[]][] = [
      ['append', ['s', 'not an array']],
      ['append', ['s', [42]]],
      ['append', [7, [userMessage('x', 'u0')]]],
      ['append', ['s', [userMessage('x', 'u0')], { expectedNextSeq: 'zero' }]],
      ['append', ['s', [userMessage('x', 'u0')], undefined, 'extra']],
      ['createSession', ['t', { tenant: 5 }]],
      ['loadEventsAfter', ['s', 1.5]],
      ['sessionExists', []],
      ['saveSnapshot', ['s', 'one', {}]],
    ];
    for (const [op, args] of bad) {
      const reply = await ask(op, args);
      expect(reply.ok, `${op} ${JSON.stringify(args)}`).toBe(false);
      if (!reply.ok) {
        expect(reply.error).toMatchObject({ code: 'SESSION' });
        expect(reply.error.message).toContain(`invalid arguments for store op ${op}`);
      }
    }
    expect(await store.loadEventsAfter('s', -1)).toEqual([]);
    expect(await store.sessionExists('t')).toBe(false);
  });

  it("hands the store's own error back mapped to a RuntimeError code, the store's code as kind", async () => {
    const { ask } = setup();
    const missing = await ask('append', ['nobody', [userMessage('x', 'u0')], undefined]);
    expect(missing).toMatchObject({ ok: false, error: { code: 'SESSION_NOT_FOUND' } });
    await ask('createSession', ['s', undefined, undefined]);
    const conflict = await ask('append', ['s', [userMessage('x', 'u0')], { expectedNextSeq: 3 }]);
    expect(conflict).toMatchObject({
      ok: false,
      error: {
        code: 'EVENT_STORE',
        kind: 'SEQUENCE_CONFLICT',
        details: { sessionId: 's', expectedNextSeq: 3, actualNextSeq: 0 },
      },
    });
    const invalid = await ask('append', ['s', [{ type: 'NoSuchEvent' }], undefined]);
    expect(invalid).toMatchObject({ ok: false, error: { code: 'EVENT_STORE', kind: 'INVALID_EVENT' } });
  });
});
