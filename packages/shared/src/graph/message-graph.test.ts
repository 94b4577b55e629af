// spec §1.9 and §10.8 (message graph).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Message } from '../schemas/message.js';
import { MessageGraph } from './message-graph.js';

const user = (id: string, parent: string | null, text = id): Message => ({
  role: 'user',
  id,
  parentMessageId: parent,
  timestamp: 0,
  content: [{ type: 'text', text }],
});
const assistant = (id: string, parent: string | null, toolCallIds: string[] = []): Message => ({
  role: 'assistant',
  id,
  parentMessageId: parent,
  timestamp: 0,
  content: toolCallIds.map((t) => ({
    type: 'tool_call',
    toolCall: { id: t, name: `tool_${t}`, parameters: {} },
  })),
});
const tool = (id: string, parent: string | null, toolUseId: string): Message => ({
  role: 'tool',
  id,
  parentMessageId: parent,
  timestamp: 0,
  toolUseId,
  result: { type: 'External', toolName: 't', payload: 'p' },
});
const ids = (g: MessageGraph) => g.getActiveThread().map((m) => m.id);

describe('message graph (§1.9)', () => {
  it('empty graph has an empty thread and no head', () => {
    const g = new MessageGraph();
    expect(g.getActiveThread()).toEqual([]);
    expect(g.head()).toBeUndefined();
    expect(g.threadHasAtLeast(1)).toBe(false);
    expect(g.threadHasAtLeast(0)).toBe(true);
  });

  it('add moves the head and the thread follows parents root-first', () => {
    const g = new MessageGraph();
    g.add(user('u1', null));
    g.add(assistant('a1', 'u1'));
    g.add(user('u2', 'a1'));
    expect(g.activeMessageId).toBe('u2');
    expect(ids(g)).toEqual(['u1', 'a1', 'u2']);
    expect(g.threadHasAtLeast(3)).toBe(true);
    expect(g.threadHasAtLeast(4)).toBe(false);
  });

  it('editing mid-conversation shows only the edited branch; other branches stay stored', () => {
    const g = new MessageGraph();
    g.add(user('u1', null));
    g.add(assistant('a1', 'u1'));
    g.add(user('u2', 'a1'));
    g.add(assistant('a2', 'u2'));
    g.add(user('u2-edit', 'a1'));
    expect(ids(g)).toEqual(['u1', 'a1', 'u2-edit']);
    expect(g.size).toBe(5);
    expect(g.checkout('a2')).toBe(true);
    expect(ids(g)).toEqual(['u1', 'a1', 'u2', 'a2']);
    expect(g.checkout('missing')).toBe(false);
    expect(g.activeMessageId).toBe('a2');
  });

  it('an unknown active id falls back to the last message; an unknown parent ends the walk', () => {
    const g = new MessageGraph();
    g.add(user('u1', null));
    g.add(user('u2', 'ghost'));
    g.activeMessageId = 'nope';
    expect(ids(g)).toEqual(['u2']);
  });

  it('compaction boundary hides older messages, even when the summary has a parent', () => {
    const g = new MessageGraph();
    g.add(user('u1', null));
    g.add(assistant('a1', 'u1'));
    g.add(assistant('sum', 'a1'));
    g.markCompactionSummary('sum');
    g.add(user('u2', 'sum'));
    expect(ids(g)).toEqual(['sum', 'u2']);
  });

  it('duplicate ids: lookups see the last inserted, replace overwrites the first', () => {
    const g = new MessageGraph();
    g.add(user('x', null, 'first'));
    g.add(user('y', 'x'));
    g.add(user('x', 'y', 'second'));
    const second = g.get('x');
    expect(second?.role === 'user' ? second.content : []).toEqual([{ type: 'text', text: 'second' }]);
    expect(g.replace(user('x', null, 'replaced'))).toBe(true);
    expect(g.messages[0]).toEqual(user('x', null, 'replaced'));
    expect(g.get('x')).toBe(second);
    // a parent cycle through duplicate ids terminates
    expect(ids(g).length).toBeLessThanOrEqual(g.size);
  });

  it('replace appends an unknown message without moving the head', () => {
    const g = new MessageGraph();
    g.add(user('u1', null));
    expect(g.replace(user('u9', 'u1'))).toBe(false);
    expect(g.size).toBe(2);
    expect(g.activeMessageId).toBe('u1');
  });

  it('update command execution replaces a user message with one command item; never mutates', () => {
    const g = new MessageGraph();
    const original = user('u1', null);
    g.add(original);
    g.add(assistant('a1', 'u1'));
    const updated = g.updateCommandExecution('u1', 'ls', 'out', 'err', 2);
    expect(updated?.content).toEqual([
      { type: 'command_execution', command: 'ls', stdout: 'out', stderr: 'err', exitCode: 2 },
    ]);
    expect(g.get('u1')).toBe(updated);
    expect(original).toEqual(user('u1', null));
    expect(g.updateCommandExecution('a1', 'ls', '', '', 0)).toBeUndefined();
    expect(g.updateCommandExecution('missing', 'ls', '', '', 0)).toBeUndefined();
  });

  it('finds tool names by tool-call id and the trailing tool run', () => {
    const g = new MessageGraph();
    g.add(user('u1', null));
    g.add(assistant('a1', 'u1', ['t1', 't2']));
    g.add(tool('r1', 'a1', 't1'));
    g.add(tool('r2', 'r1', 't2'));
    expect(g.findToolNameById('t2')).toBe('tool_t2');
    expect(g.findToolNameById('t3')).toBeUndefined();
    expect(g.trailingToolMessages().map((m) => m.id)).toEqual(['r2', 'r1']);
    g.add(user('u2', 'r2'));
    expect(g.trailingToolMessages()).toEqual([]);
  });

  it('from() rebuilds an equivalent graph', () => {
    const g = new MessageGraph();
    g.add(user('u1', null));
    g.add(assistant('a1', 'u1', ['t1']));
    g.markCompactionSummary('a1');
    const copy = MessageGraph.from(g.messages, g.activeMessageId, g.compactionSummaryIds);
    expect(ids(copy)).toEqual(ids(g));
    expect(copy.findToolNameById('t1')).toBe('tool_t1');
    expect([...copy.compactionSummaryIds]).toEqual(['a1']);
  });
});

/** The spec's walk (§1.9), written naively, as the oracle for the cached implementation. */
function referenceThread(
  messages: readonly Message[],
  active: string | undefined,
  summaries: ReadonlySet<string>,
): string[] {
  if (messages.length === 0) return [];
  const byId = new Map<string, Message>();
  for (const m of messages) byId.set(m.id, m);
  let m = (active === undefined ? undefined : byId.get(active)) ?? messages[messages.length - 1];
  const out: string[] = [];
  let budget = messages.length;
  while (m !== undefined && budget-- > 0) {
    out.push(m.id);
    if (summaries.has(m.id) || m.parentMessageId === null) break;
    m = byId.get(m.parentMessageId);
  }
  return out.reverse();
}

describe('message graph thread cache', () => {
  it('getActiveThread always equals the naive walk of §1.9', () => {
    const idArb = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
    const opArb = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({ op: fc.constant('addOnHead' as const), id: idArb, fresh: fc.boolean() }),
      },
      {
        weight: 2,
        arbitrary: fc.record({ op: fc.constant('addBranch' as const), id: idArb, parent: fc.option(idArb) }),
      },
      {
        weight: 1,
        arbitrary: fc.record({ op: fc.constant('replace' as const), id: idArb, parent: fc.option(idArb) }),
      },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('summary' as const), id: idArb }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('checkout' as const), id: fc.option(idArb) }) },
      { weight: 3, arbitrary: fc.record({ op: fc.constant('read' as const) }) },
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40, size: 'max' }), (ops) => {
        const g = new MessageGraph();
        let n = 0;
        for (const o of ops) {
          switch (o.op) {
            case 'addOnHead':
              g.add(user(o.fresh ? `m${n++}` : o.id, g.activeMessageId ?? null));
              break;
            case 'addBranch':
              g.add(user(o.id, o.parent));
              break;
            case 'replace':
              g.replace(user(o.id, o.parent, `r${n++}`));
              break;
            case 'summary':
              g.markCompactionSummary(o.id);
              break;
            case 'checkout':
              g.activeMessageId = o.id ?? undefined;
              break;
            case 'read':
              break;
          }
          expect(ids(g)).toEqual(referenceThread(g.messages, g.activeMessageId, g.compactionSummaryIds));
          // the thread handed out is the caller's: changing it never changes the graph's (cached) thread
          const mine = g.getActiveThread();
          mine.reverse();
          mine.push(user('junk', null));
          expect(ids(g)).toEqual(referenceThread(g.messages, g.activeMessageId, g.compactionSummaryIds));
          // lookups: `get` sees the last message with an id, `getFirst` the first (naive scans as oracles)
          for (const m of g.messages) {
            expect(g.get(m.id)).toBe(g.messages.findLast((x) => x.id === m.id));
            expect(g.getFirst(m.id)).toBe(g.messages.find((x) => x.id === m.id));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
