import type { StreamDelta } from '@shoal/shared';
import type { ProviderDelta } from '../providers/model-provider.js';

/** Where a shard's stream deltas go; only sessions somebody listens to pay for deltas at all. */
export interface DeltaSink {
  wants(sessionId: string): boolean;
  push(sessionId: string, delta: StreamDelta): void;
  /** send what is buffered for the session now (before its completion is reduced) */
  flush(sessionId: string): void;
}

/**
 * Batches deltas per session and posts them once per event-loop turn, so a fast stream costs one port
 * message per turn instead of one per chunk.
 */
export class BatchingDeltaSink implements DeltaSink {
  private readonly listeners = new Map<string, number>();
  private readonly pending = new Map<string, StreamDelta[]>();
  private scheduled = false;

  constructor(private readonly send: (sessionId: string, deltas: StreamDelta[]) => void) {}

  setListeners(sessionId: string, count: number): void {
    if (count > 0) this.listeners.set(sessionId, count);
    else {
      this.listeners.delete(sessionId);
      this.pending.delete(sessionId);
    }
  }

  wants(sessionId: string): boolean {
    return this.listeners.has(sessionId);
  }

  push(sessionId: string, delta: StreamDelta): void {
    let list = this.pending.get(sessionId);
    if (!list) {
      list = [];
      this.pending.set(sessionId, list);
    }
    list.push(delta);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flushAll());
    }
  }

  flush(sessionId: string): void {
    const list = this.pending.get(sessionId);
    if (!list) return;
    this.pending.delete(sessionId);
    this.send(sessionId, list);
  }

  private flushAll(): void {
    this.scheduled = false;
    for (const [sessionId, list] of this.pending) this.send(sessionId, list);
    this.pending.clear();
  }
}

/** A provider's delta as the stream delta of the op's message (spec §6). */
export function toStreamDelta(d: ProviderDelta, opId: string, messageId: string): StreamDelta {
  switch (d.type) {
    case 'text':
      return { type: 'TextChunk', opId, messageId, delta: d.delta };
    case 'thinking':
      return { type: 'ThinkingChunk', opId, messageId, delta: d.delta };
    case 'tool_call_args':
      return {
        type: 'ToolCallChunk',
        opId,
        messageId,
        toolCallId: d.toolCallId,
        delta: { type: 'ArgumentChunk', chunk: d.delta },
      };
    case 'reset':
      return { type: 'Reset', opId, messageId };
  }
}
