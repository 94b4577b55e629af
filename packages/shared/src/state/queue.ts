import { isBlank } from '../config/whitespace.js';
import type { UserContent } from '../schemas/content.js';
import type { ModelId } from '../schemas/ids.js';
import type { QueuedWorkItemSnapshot } from '../schemas/queue.js';
import type { AppState, QueuedWorkItem } from './app-state.js';
import { arrayWith, arrayWithoutFirst } from './shared-collections.js';

/** spec §1.2 / §4.3: the model a queued user message gets when its snapshot has none. */
export const QUEUE_FALLBACK_MODEL: ModelId = { provider: 'anthropic', id: 'claude-sonnet-4-5' };

type UserItem = Extract<QueuedWorkItem, { kind: 'UserMessage' }>;
type BashItem = Extract<QueuedWorkItem, { kind: 'DirectBash' }>;

const isWhitespaceText = (c: UserContent): boolean => c.type === 'text' && isBlank(c.text);

/**
 * spec §2.7 `queueUserMessage`: a user message following a user message at the tail is merged into it
 * (two-newline separator when the tail has real content; the tail takes the new ids, model and time).
 * The item's `content` array is copied, so the caller's array is never mutated by a later merge.
 */
export function queueUserMessage(state: AppState, item: UserItem): void {
  const tail = state.queuedWork[state.queuedWork.length - 1];
  if (tail === undefined || tail.kind !== 'UserMessage') {
    state.queuedWork = arrayWith(state.queuedWork, { ...item, content: item.content.slice() });
    return;
  }
  if (tail.content.some((c) => !isWhitespaceText(c))) tail.content.push({ type: 'text', text: '\n\n' });
  for (const c of item.content) tail.content.push(c);
  tail.opId = item.opId;
  tail.messageId = item.messageId;
  tail.model = item.model;
  tail.queuedAt = item.queuedAt;
}

/** spec §2.7 `queueBashCommand`: always appended, never merged. */
export function queueBashCommand(state: AppState, item: BashItem): void {
  state.queuedWork = arrayWith(state.queuedWork, item);
}

/** spec §2.7 `popNextQueuedWork`: remove and return the head (an emptied queue is released). */
export function popNextQueuedWork(state: AppState): QueuedWorkItem | undefined {
  const head = state.queuedWork[0];
  state.queuedWork = arrayWithoutFirst(state.queuedWork);
  return head;
}

/**
 * spec §3.2.6 snapshot of one queued item. Deliberate change 5: user messages also carry `userContent`, a copy
 * of the full content (so a later merge into the live item never changes an already emitted event).
 */
export function queueItemSnapshot(item: QueuedWorkItem): QueuedWorkItemSnapshot {
  if (item.kind === 'DirectBash') {
    return {
      kind: 'DirectBash',
      content: item.command,
      queuedAt: item.queuedAt,
      opId: item.opId,
      messageId: item.messageId,
      attachmentCount: 0,
    };
  }
  let text = '';
  let images = 0;
  for (const c of item.content) {
    if (c.type === 'text') text += c.text;
    else if (c.type === 'image') images++;
  }
  return {
    kind: 'UserMessage',
    content: text,
    queuedAt: item.queuedAt,
    model: item.model,
    opId: item.opId,
    messageId: item.messageId,
    attachmentCount: images,
    userContent: item.content.slice(),
  };
}

/**
 * Replay of `QueuedWorkAdded`: the input is queued exactly as the live reducer queued it (§2.7: a user
 * message after a user message at the tail merges into it; a bash command is always appended).
 */
export function enqueueFromSnapshot(state: AppState, snapshot: QueuedWorkItemSnapshot): void {
  const [item] = queueFromSnapshot([snapshot]);
  if (item === undefined) return;
  if (item.kind === 'UserMessage') queueUserMessage(state, item);
  else queueBashCommand(state, item);
}

/** spec §3.2.6: the snapshot of a whole queue, in order. */
export function queueSnapshot(items: readonly QueuedWorkItem[]): QueuedWorkItemSnapshot[] {
  return items.map(queueItemSnapshot);
}

/**
 * spec §4.3 rebuilding the queue from `QueueUpdated`. Deliberate change 5: a user-message snapshot with
 * `userContent` is restored exactly (content, images, model); only snapshots without it fall back to the lossy
 * rule (blank text dropped, a single text item, Sonnet 4.5 when the model is missing).
 */
export function queueFromSnapshot(snapshots: readonly QueuedWorkItemSnapshot[]): QueuedWorkItem[] {
  const out: QueuedWorkItem[] = [];
  for (const s of snapshots) {
    if (s.kind === 'DirectBash') {
      out.push({
        kind: 'DirectBash',
        command: s.content,
        opId: s.opId,
        messageId: s.messageId,
        queuedAt: s.queuedAt,
      });
      continue;
    }
    if (s.userContent !== undefined) {
      out.push({
        kind: 'UserMessage',
        content: s.userContent.slice(),
        opId: s.opId,
        messageId: s.messageId,
        model: s.model ?? QUEUE_FALLBACK_MODEL,
        queuedAt: s.queuedAt,
      });
      continue;
    }
    if (isBlank(s.content)) continue;
    out.push({
      kind: 'UserMessage',
      content: [{ type: 'text', text: s.content }],
      opId: s.opId,
      messageId: s.messageId,
      model: s.model ?? QUEUE_FALLBACK_MODEL,
      queuedAt: s.queuedAt,
    });
  }
  return out;
}
