/** One parsed server-sent event (a comment block is `{ comment }`). */
export interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/**
 * Reads an SSE response body with raw fetch: yields each message as it arrives (a plain parser of the wire
 * format, to check exactly what the host writes).
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        yield parseBlock(block);
      }
    }
  } finally {
    reader.releaseLock();
  }
}

function parseBlock(block: string): SseMessage {
  const msg: SseMessage = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) msg.comment = line.slice(1).trim();
    else {
      const colon = line.indexOf(':');
      const field = line.slice(0, colon);
      const value = line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') msg.id = value;
      else if (field === 'event') msg.event = value;
      else if (field === 'data') msg.data = msg.data === undefined ? value : `${msg.data}\n${value}`;
    }
  }
  return msg;
}

/** Opens an event stream with raw fetch; `abort` drops the connection mid-stream. */
export async function openStream(
  url: string,
  key: string,
  headers: Record<string, string> = {},
): Promise<{ res: Response; messages: AsyncGenerator<SseMessage>; abort(): void }> {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  if (res.body === null) throw new Error(`no body (${res.status})`);
  return { res, messages: readSse(res.body), abort: () => controller.abort() };
}

/** Reads messages until one satisfies `until` (inclusive); skips heartbeat comments. */
export async function readUntil(
  messages: AsyncGenerator<SseMessage>,
  until: (m: SseMessage) => boolean,
): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for (;;) {
    const { value, done } = await messages.next();
    if (done) throw new Error(`stream ended before the expected message (got ${out.length})`);
    if (value.comment !== undefined && value.data === undefined) continue;
    out.push(value);
    if (until(value)) return out;
  }
}
