import type { Message, ToolMessage, UserMessage } from '../schemas/message.js';
import { EMPTY_MAP, EMPTY_SET, mapWith, setOf, setWith } from '../state/shared-collections.js';

/**
 * spec §1.9: the message graph. Messages are kept in insertion order (duplicate ids are not prevented) and are
 * never mutated once added — a change replaces the object. Lookups by id are O(1): `lastIndex` holds the
 * position of the *last* inserted message per id (the thread walk's rule); the position of the *first* one (the
 * rule of replace / update command execution) is the same unless the id repeats, so only repeated ids are kept
 * in `firstIndexOfRepeated`.
 *
 * Memory: thousands of sessions stay resident, so the index maps start as (and the rarely used ones usually
 * stay) the shared empty map, and the cached thread is, in the usual case, the tail of `messages` itself.
 */
export class MessageGraph {
  readonly messages: Message[] = [];
  activeMessageId: string | undefined = undefined;
  private summaryIds: ReadonlySet<string> = EMPTY_SET;
  private lastIndex: ReadonlyMap<string, number> = EMPTY_MAP;
  private firstIndexOfRepeated: ReadonlyMap<string, number> = EMPTY_MAP;
  /** tool-call id → tool name, from assistant `tool_call` blocks (first occurrence wins, like a scan). */
  private toolNames: ReadonlyMap<string, string> = EMPTY_MAP;
  /**
   * The active thread (root-most first) of `threadHead`, extended in O(1) when a message is added on top of
   * it, so model calls on long conversations copy an array instead of walking the graph. Any change that could
   * alter a walk (replace, compaction mark, duplicate id, a head elsewhere) drops it. When the thread is exactly
   * `messages[threadStart..]` (a linear conversation, also after a compaction), `thread` *is* `messages`: no
   * second array of the whole conversation is kept.
   */
  private thread: Message[] | undefined = undefined;
  private threadStart = 0;
  private threadHead: Message | undefined = undefined;
  /** the unknown parent id that ended the cached walk (adding a message with that id would extend it) */
  private threadRootParent: string | null = null;

  /** Rebuilds a graph from its plain parts (durable snapshots). */
  static from(
    messages: readonly Message[],
    activeMessageId: string | undefined,
    summaryIds: Iterable<string>,
  ) {
    const g = new MessageGraph();
    g.summaryIds = setOf(summaryIds);
    for (const m of messages) g.push(m);
    g.activeMessageId = activeMessageId;
    return g;
  }

  /** Ids of the compaction summaries (the thread walk stops at them). Read-only: use `markCompactionSummary`. */
  get compactionSummaryIds(): ReadonlySet<string> {
    return this.summaryIds;
  }

  get size(): number {
    return this.messages.length;
  }

  /** The message with this id (the last inserted one when ids repeat). */
  get(id: string): Message | undefined {
    const i = this.lastIndex.get(id);
    return i === undefined ? undefined : this.messages[i];
  }

  /** The first inserted message with this id. */
  getFirst(id: string): Message | undefined {
    const i = this.firstIndexOf(id);
    return i === undefined ? undefined : this.messages[i];
  }

  /** spec §1.9 add message: push and move the head. */
  add(message: Message): void {
    const cached = this.thread;
    const extend =
      cached !== undefined &&
      !this.lastIndex.has(message.id) &&
      message.id !== this.threadRootParent &&
      !this.summaryIds.has(message.id) &&
      message.parentMessageId !== null &&
      this.threadHead !== undefined &&
      this.head() === this.threadHead &&
      this.get(message.parentMessageId) === this.threadHead;
    this.push(message);
    this.activeMessageId = message.id;
    if (extend) {
      if (cached !== this.messages) cached.push(message); // a cached tail of `messages` grew with the push
      this.threadHead = message;
    } else {
      this.dropThreadCache();
    }
  }

  /**
   * spec §1.9 replace message (`MessageUpdated`): overwrite the first message with the same id, else push it
   * without moving the head. Returns whether it replaced.
   */
  replace(message: Message): boolean {
    const i = this.firstIndexOf(message.id);
    if (i === undefined) {
      this.push(message);
      this.dropThreadCache(); // the new id may be the missing parent of the cached thread's root
      return false;
    }
    // When the id does not repeat, the last message with it is this one: `get` sees the new message too.
    this.messages[i] = message;
    this.dropThreadCache();
    this.indexToolCalls(message);
    return true;
  }

  /**
   * spec §1.9 update command execution (direct bash): if the (first) message with this id is a user message,
   * replace its content with exactly one `command_execution` item and return the new message.
   */
  updateCommandExecution(
    id: string,
    command: string,
    stdout: string,
    stderr: string,
    exitCode: number,
  ): UserMessage | undefined {
    const existing = this.getFirst(id);
    if (existing === undefined || existing.role !== 'user') return undefined;
    const updated: UserMessage = {
      ...existing,
      content: [{ type: 'command_execution', command, stdout, stderr, exitCode }],
    };
    this.replace(updated);
    return updated;
  }

  /** spec §1.9 find tool name by id: the name of the assistant `tool_call` block with this id. */
  findToolNameById(toolCallId: string): string | undefined {
    return this.toolNames.get(toolCallId);
  }

  /** spec §1.9 mark compaction summary. */
  markCompactionSummary(id: string): void {
    this.summaryIds = setWith(this.summaryIds, id);
    this.dropThreadCache();
  }

  /** spec §1.9 checkout: set the head if a message with that id exists. */
  checkout(id: string): boolean {
    if (!this.lastIndex.has(id)) return false;
    this.activeMessageId = id;
    return true;
  }

  /** spec §1.9 step 2: the head of the active thread. */
  head(): Message | undefined {
    if (this.messages.length === 0) return undefined;
    const active = this.activeMessageId === undefined ? undefined : this.get(this.activeMessageId);
    return active ?? this.messages[this.messages.length - 1];
  }

  /**
   * Walks the active thread from the head towards the root (spec §1.9 step 3), calling `visit` for each
   * message; stops when `visit` returns false. Guarded against parent cycles (possible with duplicate ids).
   */
  walkFromHead(visit: (m: Message) => boolean): void {
    this.walk(visit);
  }

  /**
   * The walk behind `walkFromHead`. Returns how it ended: `null` (root, summary or stopped by `visit`), the
   * unknown parent id it could not follow, or `false` when the cycle guard cut it short.
   */
  private walk(visit: (m: Message) => boolean): string | null | false {
    let m = this.head();
    let budget = this.messages.length;
    while (m !== undefined) {
      if (budget-- <= 0) return false;
      if (!visit(m)) return null;
      if (this.summaryIds.has(m.id)) return null;
      const parent = m.parentMessageId;
      if (parent === null) return null;
      const next = this.get(parent);
      if (next === undefined) return parent;
      m = next;
    }
    return null;
  }

  /** spec §1.9 `getActiveThread`: the active thread, root-most first (a fresh array). */
  getActiveThread(): Message[] {
    const head = this.head();
    const cached = this.thread;
    if (cached !== undefined && head === this.threadHead) {
      return cached === this.messages ? cached.slice(this.threadStart) : cached.slice();
    }
    const out: Message[] = [];
    const end = this.walk((m) => {
      out.push(m);
      return true;
    });
    out.reverse();
    if (end === false) {
      this.dropThreadCache(); // a parent cycle (duplicate ids): never cached
      return out;
    }
    const start = this.messages.length - out.length;
    if (isTailOf(out, this.messages, start)) {
      this.thread = this.messages;
      this.threadStart = start;
      this.threadHead = head;
      this.threadRootParent = end;
      return out; // not kept: the caller may have it
    }
    this.thread = out;
    this.threadHead = head;
    this.threadRootParent = end;
    return out.slice();
  }

  /** Whether the active thread has at least `n` messages (walks at most `n` steps). */
  threadHasAtLeast(n: number): boolean {
    if (n <= 0) return true;
    let count = 0;
    this.walkFromHead(() => ++count < n);
    return count >= n;
  }

  /** The trailing run of tool messages at the end of the active thread, newest first (spec §3.2.13). */
  trailingToolMessages(): ToolMessage[] {
    const out: ToolMessage[] = [];
    this.walkFromHead((m) => {
      if (m.role !== 'tool') return false;
      out.push(m);
      return true;
    });
    return out;
  }

  private dropThreadCache(): void {
    this.thread = undefined;
    this.threadStart = 0;
    this.threadHead = undefined;
    this.threadRootParent = null;
  }

  /** Position of the first message with this id. */
  private firstIndexOf(id: string): number | undefined {
    return this.firstIndexOfRepeated.get(id) ?? this.lastIndex.get(id);
  }

  private push(message: Message): void {
    const id = message.id;
    const previous = this.lastIndex.get(id);
    if (previous !== undefined && !this.firstIndexOfRepeated.has(id)) {
      // The id repeats for the first time: its only earlier message is the first one.
      this.firstIndexOfRepeated = mapWith(this.firstIndexOfRepeated, id, previous);
    }
    this.lastIndex = mapWith(this.lastIndex, id, this.messages.length);
    this.messages.push(message);
    this.indexToolCalls(message);
  }

  private indexToolCalls(message: Message): void {
    if (message.role !== 'assistant') return;
    for (const block of message.content) {
      if (block.type === 'tool_call' && !this.toolNames.has(block.toolCall.id)) {
        this.toolNames = mapWith(this.toolNames, block.toolCall.id, block.toolCall.name);
      }
    }
  }
}

/** Whether `thread` is exactly `messages[start..]`. */
function isTailOf(thread: readonly Message[], messages: readonly Message[], start: number): boolean {
  if (start < 0) return false;
  for (let i = 0; i < thread.length; i++) if (thread[i] !== messages[start + i]) return false;
  return true;
}
