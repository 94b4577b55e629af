import { describe, expect, it } from 'vitest';
import type { AssistantContent } from '../schemas/content.js';
import type { Message } from '../schemas/message.js';
import type { ToolResult } from '../schemas/tool-result.js';
import { dropEarlierToolResults, removeToolResults, staleReadToolUseIds } from './drop-tool-results.js';

let seq = 0;
const meta = () => ({ id: `m${++seq}`, parentMessageId: null, timestamp: 0 });
const userMsg = (text: string): Message => ({ role: 'user', ...meta(), content: [{ type: 'text', text }] });
const call = (id: string, name: string, parameters: unknown = {}): AssistantContent => ({
  type: 'tool_call',
  toolCall: { id, name, parameters },
});
const assistant = (...content: AssistantContent[]): Message => ({ role: 'assistant', ...meta(), content });
const tool = (toolUseId: string, result: ToolResult): Message => ({
  role: 'tool',
  ...meta(),
  toolUseId,
  result,
});
const fileContent = (filePath: string, content = 'body'): ToolResult => ({
  type: 'FileContent',
  filePath,
  content,
  lineCount: 1,
  truncated: false,
});
const edit = (filePath: string): ToolResult => ({
  type: 'Edit',
  filePath,
  changesMade: true,
  fileCreated: false,
});
const ext = (payload = 'ok'): ToolResult => ({ type: 'External', toolName: 'test_tool', payload });
const read = (id: string, path: string): [Message, Message] => [
  assistant(call(id, 'read_file', { file_path: path })),
  tool(id, fileContent(path)),
];
const toolIds = (messages: Message[]) => messages.flatMap((m) => (m.role === 'tool' ? [m.toolUseId] : []));
const callIds = (messages: Message[]) =>
  messages.flatMap((m) =>
    m.role === 'assistant' ? m.content.flatMap((c) => (c.type === 'tool_call' ? [c.toolCall.id] : [])) : [],
  );

describe('dropEarlierToolResults — stale-read pruning (spec §5.5 step 1)', () => {
  it('drop_stale_read_file_results_drops_old_reads_and_keeps_latest_per_file', () => {
    const messages: Message[] = [
      userMsg('go'),
      ...read('r1', 'src/a.rs'),
      ...read('r2', 'src/a.rs'),
      assistant(call('e1', 'edit_file', { file_path: 'src/a.rs', old_string: 'x', new_string: 'y' })),
      tool('e1', edit('src/a.rs')),
      ...read('r3', 'src/a.rs'),
    ];
    const { messages: out, dropped } = dropEarlierToolResults(messages);
    expect(dropped).toBe(2);
    expect(toolIds(out)).toEqual(['e1', 'r3']);
    expect(callIds(out)).toEqual(['e1', 'r3']);
    // the assistant messages that only held r1 / r2 are gone too
    expect(out).toHaveLength(messages.length - 4);
  });

  it('drop_tool_results_with_matching_tool_calls_removes_orphan_assistant_messages', () => {
    const messages: Message[] = [
      assistant(
        { type: 'thought', thought: { type: 'simple', text: 'let me read' } },
        call('r1', 'read_file', {}),
      ),
      tool('r1', fileContent('a')),
    ];
    const { messages: out, dropped } = removeToolResults(messages, new Set(['r1']));
    expect(dropped).toBe(1);
    expect(out).toEqual([]);
  });

  it('keeps the newest read per file and reads newer than the latest edit', () => {
    const messages: Message[] = [
      ...read('a1', 'a'),
      ...read('b1', 'b'),
      ...read('a2', 'a'),
      assistant(call('w', 'write_file', { file_path: 'b', content: 'z' })),
      tool('w', edit('b')),
    ];
    expect(staleReadToolUseIds(messages)).toEqual(new Set(['a1', 'b1']));
    const { dropped, messages: out } = dropEarlierToolResults(messages);
    expect(dropped).toBe(2);
    expect(toolIds(out)).toEqual(['a2', 'w']);
  });

  it('a single read older than an edit of the same file is stale; multi_edit counts as an edit', () => {
    const messages: Message[] = [
      ...read('r1', 'f'),
      assistant(call('me', 'multi_edit', { file_path: 'f', edits: [] })),
      tool('me', edit('f')),
    ];
    expect(staleReadToolUseIds(messages)).toEqual(new Set(['r1']));
  });

  it('only FileContent read results and Edit edit results count; reads without file_path are ignored', () => {
    const messages: Message[] = [
      assistant(call('r1', 'read_file', { file_path: 'f' })),
      tool('r1', { type: 'Error', error: { type: 'Execution', toolName: 'read_file', message: 'nope' } }),
      assistant(call('r2', 'read_file', {})),
      tool('r2', fileContent('f')),
      assistant(call('r3', 'read_file', { file_path: 'f' })),
      tool('r3', fileContent('f')),
      assistant(call('e1', 'edit_file', { file_path: 'f' })),
      tool('e1', { type: 'Error', error: { type: 'Execution', toolName: 'edit_file', message: 'failed' } }),
      assistant(call('r4', 'read_file', { file_path: 7 })),
      tool('r4', fileContent('f')),
    ];
    // r3 is the only (and newest) qualifying read of "f"; the failed edit does not make it stale
    expect(staleReadToolUseIds(messages).size).toBe(0);
  });

  it('different files are independent', () => {
    const messages: Message[] = [...read('a1', 'a'), ...read('b1', 'b')];
    expect(staleReadToolUseIds(messages).size).toBe(0);
  });
});

describe('dropEarlierToolResults — oldest-half pruning (spec §5.5 step 2)', () => {
  const round = (id: string): Message[] => [assistant(call(id, 'test_tool')), tool(id, ext())];

  it('drops the oldest floor(n/2) tool results when no read is stale', () => {
    const messages: Message[] = [
      userMsg('go'),
      ...round('t1'),
      ...round('t2'),
      ...round('t3'),
      ...round('t4'),
    ];
    const { messages: out, dropped } = dropEarlierToolResults(messages);
    expect(dropped).toBe(2);
    expect(toolIds(out)).toEqual(['t3', 't4']);
    expect(callIds(out)).toEqual(['t3', 't4']);
    expect(out[0]).toBe(messages[0]);
  });

  it('drops at least one (n = 1) and floor(n/2) for odd n', () => {
    expect(dropEarlierToolResults(round('only')).dropped).toBe(1);
    expect(dropEarlierToolResults(round('only')).messages).toEqual([]);
    const five = ['a', 'b', 'c', 'd', 'e'].flatMap(round);
    const { messages: out, dropped } = dropEarlierToolResults(five);
    expect(dropped).toBe(2);
    expect(toolIds(out)).toEqual(['c', 'd', 'e']);
  });

  it('returns 0 and an equal copy when there are no tool results', () => {
    const messages: Message[] = [userMsg('a'), assistant({ type: 'text', text: 'b' })];
    const { messages: out, dropped } = dropEarlierToolResults(messages);
    expect(dropped).toBe(0);
    expect(out).toEqual(messages);
    expect(out).not.toBe(messages);
    expect(dropEarlierToolResults([]).dropped).toBe(0);
  });

  it('an assistant message keeps its text and remaining calls when only some calls are dropped', () => {
    const mixed = assistant(
      { type: 'text', text: 'running two' },
      call('t1', 'test_tool'),
      call('t2', 'test_tool'),
    );
    const messages: Message[] = [mixed, tool('t1', ext()), tool('t2', ext())];
    const { messages: out, dropped } = dropEarlierToolResults(messages);
    expect(dropped).toBe(1);
    expect(out).toHaveLength(2);
    expect(out[0]).toEqual({
      ...mixed,
      content: [{ type: 'text', text: 'running two' }, call('t2', 'test_tool')],
    });
    expect(toolIds(out)).toEqual(['t2']);
  });

  it('an assistant message with text only left is kept; thoughts-only is removed; user messages always kept', () => {
    const withText = assistant({ type: 'text', text: 'x' }, call('t1', 'test_tool'));
    const thoughtsOnly = assistant(
      { type: 'thought', thought: { type: 'redacted', data: 'z' } },
      call('t2', 'tt'),
    );
    const messages: Message[] = [withText, tool('t1', ext()), userMsg('u'), thoughtsOnly, tool('t2', ext())];
    const { messages: out } = removeToolResults(messages, new Set(['t1', 't2']));
    expect(out.map((m) => m.role)).toEqual(['assistant', 'user']);
  });

  it('an assistant message that lost no block is kept as is, even if it only has thoughts', () => {
    const thoughts = assistant({ type: 'thought', thought: { type: 'simple', text: 'hm' } });
    const { messages: out } = removeToolResults([thoughts], new Set(['x']));
    expect(out[0]).toBe(thoughts);
  });
});

describe('purity', () => {
  it('does not mutate the input array or its messages', () => {
    const messages: Message[] = [
      ...read('r1', 'a'),
      ...read('r2', 'a'),
      assistant({ type: 'text', text: 't' }, call('x1', 'test_tool'), call('x2', 'test_tool')),
      tool('x1', ext()),
      tool('x2', ext()),
    ];
    const snapshot = structuredClone(messages);
    const refs = messages.slice();
    dropEarlierToolResults(messages);
    removeToolResults(messages, new Set(['x1']));
    expect(messages).toEqual(snapshot);
    messages.forEach((m, i) => {
      expect(m).toBe(refs[i]);
    });
  });

  it('repeated calls keep shrinking until nothing is left to drop', () => {
    let messages: Message[] = ['a', 'b', 'c', 'd', 'e', 'f'].flatMap((id) => [
      assistant(call(id, 'test_tool')),
      tool(id, ext()),
    ]);
    const counts: number[] = [];
    for (;;) {
      const r = dropEarlierToolResults(messages);
      if (r.dropped === 0) break;
      counts.push(r.dropped);
      messages = r.messages;
    }
    expect(counts).toEqual([3, 1, 1, 1]);
    expect(messages).toEqual([]);
  });
});
