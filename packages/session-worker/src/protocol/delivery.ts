import type { ShardCommand, ShardMessage } from './messages.js';

/**
 * What each side keeps of a posted batch, so that when the other side reports it unreadable
 * (`messageerror`, answered with a `lost` message) exactly what it carried can be failed: no request
 * waits forever for a reply that will never be read.
 */

/** Kept of a shard's post: a reply the main thread awaits, a store call the shard awaits, an activity change. */
export type ShardMessageMemo =
  | { t: 'reply'; id: number }
  | { t: 'store'; id: number }
  | { t: 'activity'; sessionId: string };

/** Kept of the main thread's post: a request it awaits, a store reply the shard awaits. */
export type ShardCommandMemo = { t: 'request'; id: number } | { t: 'storeReply'; id: number };

export function rememberShardMessage(msg: ShardMessage): ShardMessageMemo | undefined {
  switch (msg.t) {
    case 'reply':
      return { t: 'reply', id: msg.id };
    case 'store':
      return { t: 'store', id: msg.id };
    case 'activity':
      return { t: 'activity', sessionId: msg.sessionId };
    default:
      // Deltas are best effort (never stored); the rest carries nothing anyone waits for.
      return undefined;
  }
}

export function rememberShardCommand(cmd: ShardCommand): ShardCommandMemo | undefined {
  if (cmd.t === 'storeReply') return { t: 'storeReply', id: cmd.id };
  if ('id' in cmd) return { t: 'request', id: cmd.id };
  return undefined;
}
