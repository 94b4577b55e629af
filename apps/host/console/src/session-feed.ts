import type { StoredEvent, StreamDelta } from '@shoal/shared';
import type { ApiClient } from './api.js';
import { SequenceGapError, type SessionModel } from './session-model.js';
import { openResumingStream, type StreamState } from './sse.js';

export interface FeedStatus {
  events: StreamState;
  deltas: StreamState;
  /** a message from the host the console could not read (shown, then skipped) */
  malformed: string | null;
}

/**
 * Keeps a SessionModel up to date from the session's two streams: the event stream (resumed with
 * `Last-Event-ID` = the last applied seq, so a reconnect neither loses nor repeats an event) and the live
 * delta stream (nothing to resume: the final message replaces any preview). Renders are coalesced to one per
 * animation frame, so catching up on thousands of events stays cheap.
 */
export function openSessionFeed(
  api: ApiClient,
  sessionId: string,
  model: SessionModel,
  onChange: () => void,
  onStatus: (status: FeedStatus) => void,
): { close(): void } {
  const base = `/v1/sessions/${encodeURIComponent(sessionId)}`;
  const status: FeedStatus = {
    events: { kind: 'connecting' },
    deltas: { kind: 'connecting' },
    malformed: null,
  };
  let frame: number | null = null;
  const changed = () => {
    if (frame !== null) return;
    frame = requestAnimationFrame(() => {
      frame = null;
      onChange();
    });
  };
  const report = (patch: Partial<FeedStatus>) => {
    Object.assign(status, patch);
    onStatus({ ...status });
  };

  const events = openResumingStream({
    url: api.url(`${base}/events`),
    headers: () => api.headers(),
    lastEventId: () => (model.lastSeq >= 0 ? String(model.lastSeq) : null),
    onState: (state) => report({ events: state }),
    onMessage: (message) => {
      const stored = parseStoredEvent(message.data);
      if (stored === null) {
        report({ malformed: message.data.slice(0, 200) });
        return;
      }
      try {
        if (model.apply(stored)) changed();
      } catch (error) {
        // a gap cannot come from the host's contract; resume from what was applied rather than show a hole
        if (error instanceof SequenceGapError) events.reconnect();
        else throw error;
      }
    },
  });
  const deltas = openResumingStream({
    url: api.url(`${base}/deltas`),
    headers: () => api.headers(),
    onState: (state) => report({ deltas: state }),
    onMessage: (message) => {
      const delta = parseDelta(message.data);
      if (delta === null) return;
      model.applyDelta(delta);
      changed();
    },
  });

  return {
    close() {
      events.close();
      deltas.close();
      if (frame !== null) cancelAnimationFrame(frame);
    },
  };
}

// The host validates what it stores and sends; the console checks only the envelope it relies on.
function parseStoredEvent(data: string): StoredEvent | null {
  const value = parseJson(data);
  if (typeof value !== 'object' || value === null) return null;
  const { seq, event } = value as { seq?: unknown; event?: unknown };
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0) return null;
  if (typeof event !== 'object' || event === null || typeof (event as { type?: unknown }).type !== 'string') {
    return null;
  }
  return value as StoredEvent;
}

function parseDelta(data: string): StreamDelta | null {
  const value = parseJson(data);
  if (typeof value !== 'object' || value === null || typeof (value as { type?: unknown }).type !== 'string') {
    return null;
  }
  const delta = value as StreamDelta;
  if (delta.type !== 'Lagged' && typeof (delta as { messageId?: unknown }).messageId !== 'string')
    return null;
  return delta;
}

function parseJson(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}
