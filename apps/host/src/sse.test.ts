import { connect } from 'node:net';
import { SessionEventSchema } from '@shoal/shared';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACME_KEY, createSession, startTestHost, type TestHost } from './test-support/host-harness.js';
import { openStream, readUntil, type SseMessage } from './test-support/sse-reader.js';
import { waitFor } from './test-support/wait.js';

let t: TestHost;

beforeAll(async () => {
  t = await startTestHost({
    heartbeatMs: 100,
    runtimeOptions: { limits: { deltaBufferPerSubscriber: 1, eventBufferPerSubscriber: 16 } },
  });
});
afterAll(async () => {
  await t.close();
});

const EVENT_TYPES = SessionEventSchema.options.map((o) => o.shape.type.value);

/** Runs `turns` inputs one after another and returns the session's last seq. */
async function runTurns(id: string, turns: number, text = 'turn'): Promise<number> {
  for (let i = 0; i < turns; i++) {
    const r = await t.api(`/v1/sessions/${id}/input`, { body: { text: `${text} ${i}` } });
    expect(r.status).toBe(202);
    await waitFor('the turn to end', async () => {
      const s = (await t.api(`/v1/sessions/${id}`)).json;
      return s.currentOperation === null && s.queuedWork.length === 0 ? true : undefined;
    });
  }
  return (await t.api(`/v1/sessions/${id}`)).json.eventSequence - 1;
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) if (line.startsWith(name)) total += Number(line.split(' ').pop());
  return total;
}

/** A response whose body errors (like a dropped connection) once `n` events have been passed through. */
function breakAfterEvents(res: Response, n: number): Response {
  const source = res.body;
  if (source === null) return res;
  const reader = source.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let passed = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await reader.read();
      if (done) return controller.close();
      text += decoder.decode(value, { stream: true });
      const blocks = text.split('\n\n');
      text = blocks.pop() ?? '';
      const encoder = new TextEncoder();
      for (const block of blocks) {
        controller.enqueue(encoder.encode(`${block}\n\n`));
        if (block.includes('id: ') && ++passed === n) {
          controller.error(new Error('connection dropped'));
          await reader.cancel();
          return;
        }
      }
    },
  });
  return new Response(body, { status: res.status, headers: res.headers });
}

function seqs(messages: SseMessage[]): number[] {
  return messages.filter((m) => m.id !== undefined).map((m) => Number(m.id));
}

describe('GET /v1/sessions/:id/events', () => {
  it('writes each stored event as id / event / data, from the first event by default', async () => {
    const id = await createSession(t);
    const last = await runTurns(id, 1);
    const s = await openStream(`${t.url}/v1/sessions/${id}/events`, ACME_KEY);
    expect(s.res.status).toBe(200);
    expect(s.res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const msgs = await readUntil(s.messages, (m) => Number(m.id) === last);
    s.abort();
    expect(seqs(msgs)).toEqual([...Array(last + 1).keys()]);
    for (const m of msgs) {
      const data = JSON.parse(m.data ?? '');
      expect(Object.keys(data)).toEqual(['seq', 'event']);
      expect(data.seq).toBe(Number(m.id));
      expect(data.event.type).toBe(m.event);
      expect(SessionEventSchema.safeParse(data.event).success).toBe(true);
    }
    expect(msgs[0]?.event).toBe('SessionCreated');
  });

  it('starts after `after`, and a Last-Event-ID header wins over it', async () => {
    const id = await createSession(t);
    const last = await runTurns(id, 1);
    const a = await openStream(`${t.url}/v1/sessions/${id}/events?after=2`, ACME_KEY);
    expect(seqs(await readUntil(a.messages, (m) => Number(m.id) === last))[0]).toBe(3);
    a.abort();
    const b = await openStream(`${t.url}/v1/sessions/${id}/events?after=2`, ACME_KEY, {
      'last-event-id': '4',
    });
    expect(seqs(await readUntil(b.messages, (m) => Number(m.id) === last))[0]).toBe(5);
    b.abort();
  });

  it('refuses a malformed after or Last-Event-ID with 400', async () => {
    const id = await createSession(t);
    for (const [q, h] of [
      ['?after=abc', {}],
      ['?after=-2', {}],
      ['?after=1.5', {}],
      ['?other=1', {}],
      ['', { 'last-event-id': 'x' }],
    ] as Array<[string, Record<string, string>]>) {
      const r = await t.api(`/v1/sessions/${id}/events${q}`, { headers: h });
      expect(r.status, `${q} ${JSON.stringify(h)}`).toBe(400);
      expect(r.json.error.code).toBe('BAD_REQUEST');
    }
  });

  it('resumes with Last-Event-ID after a drop mid-stream, with no gap and no duplicate (raw fetch)', async () => {
    const id = await createSession(t);
    const last = await runTurns(id, 2);
    const first = await openStream(`${t.url}/v1/sessions/${id}/events`, ACME_KEY);
    const got = await readUntil(first.messages, (m) => Number(m.id) === 4);
    first.abort(); // dropped mid-stream, with more stored events unread
    const lastSeen = got.at(-1)?.id ?? '';
    const second = await openStream(`${t.url}/v1/sessions/${id}/events`, ACME_KEY, {
      'last-event-id': lastSeen,
    });
    const liveTurn = t.api(`/v1/sessions/${id}/input`, { body: { text: 'live' } });
    const opId = (await liveTurn).json.opId as string;
    const rest = await readUntil(
      second.messages,
      (m) => m.event === 'OperationCompleted' && JSON.parse(m.data ?? '').event.opId === opId,
    );
    second.abort();
    const all = seqs(got.concat(rest));
    expect(all.length).toBeGreaterThan(last + 1);
    expect(all).toEqual([...Array(all.length).keys()]);
  });

  it('resumes after a drop with the eventsource client, which sends Last-Event-ID itself', async () => {
    const id = await createSession(t);
    const last = await runTurns(id, 2);
    const lastEventIds: Array<string | null> = [];
    const receivedAtConnect: number[] = [];
    const received: number[] = [];
    const es = new EventSource(`${t.url}/v1/sessions/${id}/events`, {
      fetch: async (input, init) => {
        const headers = new Headers(init?.headers);
        lastEventIds.push(headers.get('last-event-id'));
        receivedAtConnect.push(received.length);
        headers.set('authorization', `Bearer ${ACME_KEY}`);
        const res = await fetch(input, { ...init, headers });
        // The first connection breaks right after its third event, with more events still to come.
        return lastEventIds.length === 1 ? breakAfterEvents(res, 3) : res;
      },
    });
    await new Promise<void>((resolve) => {
      for (const type of EVENT_TYPES) {
        es.addEventListener(type, (e) => {
          received.push(Number(e.lastEventId));
          if (Number(e.lastEventId) === last) resolve();
        });
      }
    });
    es.close();
    // It reconnected once, mid-stream, naming the last event it had received.
    expect(lastEventIds.length).toBe(2);
    const before = receivedAtConnect[1] ?? 0;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(last + 1);
    expect(lastEventIds).toEqual([null, String(received[before - 1])]);
    expect(received).toEqual([...Array(last + 1).keys()]);
  });

  it('sends heartbeat comments on an idle stream', async () => {
    const id = await createSession(t);
    const s = await openStream(`${t.url}/v1/sessions/${id}/events?after=0`, ACME_KEY);
    for (;;) {
      const { value } = await s.messages.next();
      if (value?.comment === 'heartbeat') break;
    }
    s.abort();
  });

  it('closes the subscription when the client goes away', async () => {
    const id = await createSession(t);
    const before = await metric('shoal_open_streams{kind="events"}');
    const s = await openStream(`${t.url}/v1/sessions/${id}/events`, ACME_KEY);
    await readUntil(s.messages, (m) => m.event === 'SessionCreated');
    expect(await metric('shoal_open_streams{kind="events"}')).toBe(before + 1);
    s.abort();
    await waitFor('the stream to close', async () =>
      (await metric('shoal_open_streams{kind="events"}')) === before ? true : undefined,
    );
  });

  it('holds a slow client to one socket buffer and catches it up from the store', async () => {
    const id = await createSession(t);
    // A raw socket that sends the request, then reads nothing until the session has ~8 MB of events.
    const socket = connect({ host: '127.0.0.1', port: Number(new URL(t.url).port) });
    socket.pause();
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `GET /v1/sessions/${id}/events HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${ACME_KEY}\r\n\r\n`,
    );
    const big = 'x'.repeat(64 * 1024);
    const last = await runTurns(id, 64, big);
    await waitFor('the stream to fill its socket', async () =>
      (await metric('shoal_stream_buffered_bytes')) > 0 ? true : undefined,
    );
    // Without backpressure the host would hold most of the ~8 MB; with it, at most about one event
    // (an echo of 64 KiB of text, JSON-escaped) beyond the socket's own buffer.
    expect(await metric('shoal_stream_buffered_bytes')).toBeLessThan(512 * 1024);

    // Now read everything: every event arrives once, in order.
    let text = '';
    socket.setEncoding('utf8');
    const done = new Promise<void>((resolve) => {
      socket.on('data', (chunk: string) => {
        text += chunk;
        if (text.includes(`id: ${last}\n`) && text.slice(text.indexOf(`id: ${last}\n`)).includes('\n\n')) {
          resolve();
        }
      });
    });
    socket.resume();
    await done;
    socket.destroy();
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual([...Array(last + 1).keys()]);
  });
});

describe('GET /v1/sessions/:id/deltas', () => {
  it('streams live deltas as event / data, passing Lagged on', async () => {
    const id = await createSession(t);
    const s = await openStream(`${t.url}/v1/sessions/${id}/deltas`, ACME_KEY);
    expect(s.res.status).toBe(200);
    // The test host buffers one delta per subscriber: a batch of token deltas overflows it at once.
    await t.api(`/v1/sessions/${id}/input`, { body: { text: '/tokens 400' } });
    const msgs = await readUntil(s.messages, (m) => m.event === 'Lagged');
    s.abort();
    const lagged = JSON.parse(msgs.at(-1)?.data ?? '');
    expect(lagged.type).toBe('Lagged');
    expect(lagged.dropped).toBeGreaterThan(0);
    for (const m of msgs) {
      expect(m.id).toBeUndefined();
      expect(JSON.parse(m.data ?? '').type).toBe(m.event);
    }
  });
});

describe('SseStream', () => {
  it('is closed from the start when its client went away before the stream was set up', async () => {
    const { createServer } = await import('node:http');
    const { SseStream } = await import('./sse.js');
    let closedAtStart: boolean | undefined;
    const checked = new Promise<void>((resolve) => {
      const server = createServer((req, res) => {
        req.socket.once('close', () => {
          const s = new SseStream(res);
          closedAtStart = s.closed;
          s.open();
          expect(s.send('data: x\n\n')).toBeUndefined();
          server.close();
          resolve();
        });
      });
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        if (address === null || typeof address === 'string') throw new Error('no port');
        const controller = new AbortController();
        fetch(`http://127.0.0.1:${address.port}/`, { signal: controller.signal }).catch(() => undefined);
        // Abort once the request has reached the server (its socket is then open on both sides).
        server.once('request', () => controller.abort());
      });
    });
    await checked;
    expect(closedAtStart).toBe(true);
  });
});
