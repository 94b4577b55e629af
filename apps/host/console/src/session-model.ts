import type {
  Message,
  OperationKind,
  QueuedWorkItemSnapshot,
  SessionEvent,
  StoredEvent,
  StreamDelta,
  ToolCall,
} from '@shoal/shared';

/** One row of the raw event log. `time` is the event's own timestamp when it carries one. */
export interface LogEntry {
  seq: number;
  type: SessionEvent['type'];
  /** ms since the epoch: the event's own timestamp when it has one, else when the console received it */
  time: number;
  timeFromEvent: boolean;
  event: SessionEvent;
}

/** Something worth showing in the conversation that is not a message (an error, a cancelled turn). */
export interface Notice {
  seq: number;
  tone: 'error' | 'info';
  text: string;
}

export interface StreamingPreview {
  opId: string;
  messageId: string;
  text: string;
  thinking: string;
}

export type TimelineItem =
  | { kind: 'message'; seq: number; message: Message }
  | { kind: 'notice'; seq: number; notice: Notice };

export type ToolCallState = 'running' | 'completed' | 'failed';

export type SessionActivity = 'idle' | 'running' | 'waiting_for_approval';

/**
 * The console's view of one session, folded from its event stream (and its live deltas) in the browser. It
 * follows the message-graph rules of spec §1.9 (every add moves the head; the thread is the parent chain from
 * the head, cut at a compaction summary) and keeps what the page shows beside it: status, pending approval,
 * queue, tool-call states and the raw log. An event at or below `lastSeq` is a duplicate (a resumed stream
 * overlapping what was already applied) and is dropped.
 */
export class SessionModel {
  lastSeq = -1;
  title: string | null = null;
  agentId: string | null = null;
  currentOp: { opId: string; kind: OperationKind } | null = null;
  pendingApproval: { requestId: string; toolCall: ToolCall } | null = null;
  queue: QueuedWorkItemSnapshot[] = [];
  readonly log: LogEntry[] = [];
  readonly notices: Notice[] = [];
  readonly toolCalls = new Map<string, ToolCallState>();
  readonly previews = new Map<string, StreamingPreview>();
  /** a popped queue item returned by a cancel, to put back into the editor */
  returnedInput: string | null = null;

  private readonly messages = new Map<string, { seq: number; message: Message }>();
  private readonly insertion: string[] = [];
  private readonly toolResults = new Map<string, Message & { role: 'tool' }>();
  private activeMessageId: string | null = null;
  private readonly compactionSummaryIds = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Applies one stored event; returns false for a duplicate. Throws on a gap (the caller resumes). */
  apply(stored: StoredEvent): boolean {
    if (stored.seq <= this.lastSeq) return false;
    if (stored.seq !== this.lastSeq + 1) throw new SequenceGapError(this.lastSeq, stored.seq);
    this.lastSeq = stored.seq;
    const { event, seq } = stored;
    const ownTime = timeOf(event);
    this.log.push({
      seq,
      type: event.type,
      time: ownTime ?? this.now(),
      timeFromEvent: ownTime !== null,
      event,
    });
    this.fold(seq, event);
    return true;
  }

  applyDelta(delta: StreamDelta): void {
    if (delta.type === 'Lagged') return; // the final message replaces whatever preview was missed
    const known = this.messages.has(delta.messageId);
    if (known) return;
    const fresh = { opId: delta.opId, messageId: delta.messageId, text: '', thinking: '' };
    const preview = this.previews.get(delta.messageId) ?? fresh;
    switch (delta.type) {
      case 'TextChunk':
        preview.text += delta.delta;
        break;
      case 'ThinkingChunk':
        preview.thinking += delta.delta;
        break;
      case 'Reset': // spec §6: discard what was streamed so far for this message
        preview.text = '';
        preview.thinking = '';
        break;
      case 'ToolCallChunk':
        break;
    }
    this.previews.set(delta.messageId, preview);
  }

  get activity(): SessionActivity {
    if (this.pendingApproval !== null) return 'waiting_for_approval';
    return this.currentOp === null ? 'idle' : 'running';
  }

  /** The active thread, root-most first (spec §1.9 `getActiveThread`). */
  thread(): { seq: number; message: Message }[] {
    if (this.insertion.length === 0) return [];
    const headId =
      this.activeMessageId !== null && this.messages.has(this.activeMessageId)
        ? this.activeMessageId
        : this.insertion[this.insertion.length - 1]!;
    const out: { seq: number; message: Message }[] = [];
    const seen = new Set<string>();
    let entry = this.messages.get(headId);
    while (entry !== undefined && !seen.has(entry.message.id)) {
      out.push(entry);
      seen.add(entry.message.id);
      if (this.compactionSummaryIds.has(entry.message.id)) break;
      const parent = entry.message.parentMessageId;
      entry = parent === null ? undefined : this.messages.get(parent);
    }
    return out.reverse();
  }

  /**
   * The thread with the notices raised while it was written, in event order. Tool results are shown with
   * their calls, so the timeline leaves them out unless their call is not on the thread.
   */
  timeline(): TimelineItem[] {
    const thread = this.thread();
    const callIds = new Set<string>();
    for (const { message } of thread) {
      if (message.role !== 'assistant') continue;
      for (const c of message.content) if (c.type === 'tool_call') callIds.add(c.toolCall.id);
    }
    const items: TimelineItem[] = [];
    for (const { seq, message } of thread) {
      if (message.role === 'tool' && callIds.has(message.toolUseId)) continue;
      items.push({ kind: 'message', seq, message });
    }
    const firstSeq = thread[0]?.seq ?? -1;
    for (const notice of this.notices) {
      if (notice.seq >= firstSeq) items.push({ kind: 'notice', seq: notice.seq, notice });
    }
    return items.sort((a, b) => a.seq - b.seq);
  }

  toolResultFor(toolCallId: string): (Message & { role: 'tool' }) | undefined {
    return this.toolResults.get(toolCallId);
  }

  /** Previews of assistant messages still streaming (not yet stored). */
  streaming(): StreamingPreview[] {
    return [...this.previews.values()].filter((p) => p.text !== '' || p.thinking !== '');
  }

  private addMessage(seq: number, message: Message): void {
    this.messages.set(message.id, { seq, message });
    this.insertion.push(message.id);
    this.activeMessageId = message.id;
    this.previews.delete(message.id);
    if (message.role === 'tool') this.toolResults.set(message.toolUseId, message);
  }

  private fold(seq: number, event: SessionEvent): void {
    switch (event.type) {
      case 'SessionCreated':
        this.title = event.config.title ?? null;
        this.agentId = event.config.primaryAgentId ?? 'normal';
        return;
      case 'SessionConfigUpdated':
        this.title = event.config.title ?? this.title;
        this.agentId = event.primaryAgentId;
        return;
      case 'UserMessageAdded':
      case 'AssistantMessageAdded':
      case 'ToolMessageAdded':
        this.addMessage(seq, event.message);
        return;
      case 'MessageUpdated': {
        // spec §1.9 replace: keeps the message's place and the head; an unknown id is appended.
        const existing = this.messages.get(event.message.id);
        if (existing === undefined) {
          this.messages.set(event.message.id, { seq, message: event.message });
          this.insertion.push(event.message.id);
        } else {
          existing.message = event.message;
        }
        if (event.message.role === 'tool') this.toolResults.set(event.message.toolUseId, event.message);
        return;
      }
      case 'ToolCallStarted':
        this.toolCalls.set(event.id, 'running');
        return;
      case 'ToolCallCompleted':
        this.toolCalls.set(event.id, 'completed');
        return;
      case 'ToolCallFailed':
        this.toolCalls.set(event.id, 'failed');
        return;
      case 'ApprovalRequested':
        this.pendingApproval = { requestId: event.requestId, toolCall: event.toolCall };
        return;
      case 'ApprovalDecided':
        if (this.pendingApproval?.requestId === event.requestId) this.pendingApproval = null;
        return;
      case 'OperationStarted':
        this.currentOp = { opId: event.opId, kind: event.kind };
        return;
      case 'OperationCompleted':
        this.endOperation(event.opId);
        return;
      case 'OperationCancelled': {
        this.endOperation(event.opId);
        const why = event.reason === 'interrupted' ? 'interrupted (the host stopped)' : 'cancelled';
        this.notices.push({ seq, tone: 'info', text: `Operation ${why}` });
        const popped = event.info.poppedQueuedItem;
        if (popped !== undefined) this.returnedInput = popped.content;
        return;
      }
      case 'QueueUpdated':
        this.queue = event.queue;
        return;
      case 'QueuedWorkAdded': {
        // The queued input alone: a user message after a user message merges into it (spec §2.7).
        const tail = this.queue.at(-1);
        const item = event.item;
        if (item.kind !== 'DirectBash' && tail !== undefined && tail.kind !== 'DirectBash') {
          const sep = tail.content.trim().length > 0 ? '\n\n' : '';
          const merged = { ...item, content: tail.content + sep + item.content };
          this.queue = [...this.queue.slice(0, -1), merged];
        } else this.queue = [...this.queue, item];
        return;
      }
      case 'QueuedWorkRemoved':
        this.queue = this.queue.slice(1);
        return;
      case 'CompactResult':
        if (event.result.type === 'Failed') {
          this.notices.push({ seq, tone: 'error', text: `Compaction failed: ${event.result.error}` });
        } else if (event.result.type === 'InsufficientMessages') {
          this.notices.push({ seq, tone: 'info', text: 'Nothing to compact yet' });
        }
        return;
      case 'ConversationCompacted':
        this.compactionSummaryIds.add(event.record.summaryMessageId);
        this.notices.push({ seq, tone: 'info', text: 'Conversation compacted' });
        return;
      case 'Error':
        this.notices.push({ seq, tone: 'error', text: event.message });
        return;
      default:
        return;
    }
  }

  private endOperation(opId: string): void {
    if (this.currentOp?.opId === opId) this.currentOp = null;
    // spec §3.3.14: a cancel clears the pending approval with the operation
    this.pendingApproval = null;
    for (const [id, preview] of this.previews) if (preview.opId === opId) this.previews.delete(id);
  }
}

export class SequenceGapError extends Error {
  override readonly name = 'SequenceGapError';
  constructor(
    readonly lastSeq: number,
    readonly gotSeq: number,
  ) {
    super(`expected event ${lastSeq + 1}, got ${gotSeq}`);
  }
}

function timeOf(event: SessionEvent): number | null {
  switch (event.type) {
    case 'UserMessageAdded':
    case 'AssistantMessageAdded':
    case 'ToolMessageAdded':
    case 'MessageUpdated':
      return event.message.timestamp * 1000; // spec §1.1: Unix seconds
    case 'ConversationCompacted': {
      const t = Date.parse(event.record.createdAt);
      return Number.isNaN(t) ? null : t;
    }
    default:
      return null;
  }
}
