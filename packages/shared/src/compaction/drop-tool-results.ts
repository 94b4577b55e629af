import type { AssistantMessage, Message } from '../schemas/message.js';

// spec §5.5 `dropEarlierToolResults(messages)`: what the compaction retry removes when the request overflowed.

const READ_TOOL = 'read_file';
const EDIT_TOOLS: ReadonlySet<string> = new Set(['edit_file', 'multi_edit', 'write_file']);

export interface DropToolResultsOutcome {
  /** The pruned conversation (a new array; untouched messages are shared, changed ones are new objects). */
  messages: Message[];
  /** How many tool-result messages were removed. */
  dropped: number;
}

interface CallInfo {
  name: string;
  filePath?: string;
}

function filePathOf(parameters: unknown): string | undefined {
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) return undefined;
  const value = (parameters as Record<string, unknown>)['file_path'];
  return typeof value === 'string' ? value : undefined;
}

/** spec §5.5 step 1: tool-use ids of stale `read_file` results (superseded by a newer read or a later edit). */
export function staleReadToolUseIds(messages: readonly Message[]): Set<string> {
  const calls = new Map<string, CallInfo>();
  for (const m of messages) {
    if (m.role !== 'assistant') continue;
    for (const c of m.content) {
      if (c.type !== 'tool_call') continue;
      const name = c.toolCall.name;
      const info: CallInfo = { name };
      if (name === READ_TOOL || EDIT_TOOLS.has(name)) {
        const path = filePathOf(c.toolCall.parameters);
        if (path !== undefined) info.filePath = path;
      }
      calls.set(c.toolCall.id, info);
    }
  }
  const readsByPath = new Map<string, { index: number; toolUseId: string }[]>();
  const latestEditByPath = new Map<string, number>();
  messages.forEach((m, index) => {
    if (m.role !== 'tool') return;
    const call = calls.get(m.toolUseId);
    if (call?.filePath === undefined) return;
    if (call.name === READ_TOOL && m.result.type === 'FileContent') {
      let reads = readsByPath.get(call.filePath);
      if (reads === undefined) {
        reads = [];
        readsByPath.set(call.filePath, reads);
      }
      reads.push({ index, toolUseId: m.toolUseId });
    } else if (EDIT_TOOLS.has(call.name) && m.result.type === 'Edit') {
      latestEditByPath.set(call.filePath, index);
    }
  });
  const drop = new Set<string>();
  for (const [path, reads] of readsByPath) {
    const newest = reads.reduce((a, b) => (b.index > a.index ? b : a));
    const latestEdit = latestEditByPath.get(path) ?? -1;
    for (const read of reads) {
      if (read !== newest || read.index < latestEdit) drop.add(read.toolUseId);
    }
  }
  return drop;
}

/**
 * spec §5.5 step 3: remove the tool results with these tool-use ids and their `tool_call` blocks; an
 * assistant message that lost a block and is left with only thoughts (or nothing) is removed too.
 */
export function removeToolResults(
  messages: readonly Message[],
  toolUseIds: ReadonlySet<string>,
): DropToolResultsOutcome {
  const out: Message[] = [];
  let dropped = 0;
  for (const m of messages) {
    if (m.role === 'tool') {
      if (toolUseIds.has(m.toolUseId)) dropped += 1;
      else out.push(m);
    } else if (m.role === 'assistant') {
      const content = m.content.filter((c) => !(c.type === 'tool_call' && toolUseIds.has(c.toolCall.id)));
      if (content.length === m.content.length) out.push(m);
      else if (content.some((c) => c.type !== 'thought'))
        out.push({ ...m, content } satisfies AssistantMessage);
      // else: orphaned (only thoughts or nothing left) → removed
    } else {
      out.push(m);
    }
  }
  return { messages: out, dropped };
}

/**
 * spec §5.5 `dropEarlierToolResults`: stale-read pruning if it finds anything, otherwise drop the oldest
 * half (at least one) of the tool results. Pure: the input array and its messages are not modified.
 */
export function dropEarlierToolResults(messages: readonly Message[]): DropToolResultsOutcome {
  const stale = staleReadToolUseIds(messages);
  if (stale.size > 0) return removeToolResults(messages, stale);
  const ids: string[] = [];
  for (const m of messages) if (m.role === 'tool') ids.push(m.toolUseId);
  if (ids.length === 0) return { messages: messages.slice(), dropped: 0 };
  const count = Math.max(1, Math.floor(ids.length / 2));
  return removeToolResults(messages, new Set(ids.slice(0, count)));
}
