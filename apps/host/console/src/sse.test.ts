import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openResumingStream, type ResumingStream, type StreamState } from './sse.js';

// A real HTTP server on loopback that scripts what each connection gets.
type Handler = (req: IncomingMessage, res: ServerResponse, attempt: number) => void;

let server: Server | null = null;
let stream: ResumingStream | null = null;
afterEach(async () => {
  stream?.close();
  stream = null;
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = null;
});

async function serve(handler: Handler): Promise<{ url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  server = createServer((req, res) => {
    requests.push(req);
    handler(req, res, requests.length);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/events`, requests };
}

const sse = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream' });
const send = (res: ServerResponse, id: number) => res.write(`id: ${id}\nevent: E\ndata: {"seq":${id}}\n\n`);

/** Opens a stream that records messages and states, resuming after the last id it saw. */
function open(url: string) {
  const ids: string[] = [];
  const states: StreamState[] = [];
  let waiters: (() => void)[] = [];
  const changed = () => {
    for (const w of waiters) w();
    waiters = [];
  };
  stream = openResumingStream({
    url,
    headers: () => ({ authorization: 'Bearer secret' }),
    lastEventId: () => ids.at(-1) ?? null,
    onMessage: (m) => {
      ids.push(m.id ?? '');
      changed();
    },
    onState: (s) => {
      states.push(s);
      changed();
    },
  });
  const until = async (ok: () => boolean): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out; ids ${ids.join(',')}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { ids, states, until };
}

describe('openResumingStream', () => {
  it('sends the key in a header and resumes with Last-Event-ID after the connection drops', async () => {
    const { url, requests } = await serve((req, res, attempt) => {
      sse(res);
      if (attempt === 1) {
        send(res, 0);
        send(res, 1);
        setImmediate(() => res.socket?.destroy()); // cut, not ended
      } else {
        const after = Number(req.headers['last-event-id']);
        send(res, after + 1);
      }
    });
    const s = open(url);
    await s.until(() => s.ids.length === 3);
    expect(s.ids).toEqual(['0', '1', '2']);
    expect(requests[0]!.headers.authorization).toBe('Bearer secret');
    expect(requests[0]!.headers['last-event-id']).toBeUndefined();
    expect(requests[1]!.headers['last-event-id']).toBe('1');
    expect(requests[1]!.url).toBe('/events'); // the key never goes into the URL
    expect(s.states.some((st) => st.kind === 'retrying')).toBe(true);
  });

  it('reconnects after a clean end of stream and after a 503, honouring Retry-After', async () => {
    const { url, requests } = await serve((_req, res, attempt) => {
      if (attempt === 2) {
        res.writeHead(503, { 'retry-after': '0', 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'SHUTTING_DOWN', message: 'shutting down' } }));
        return;
      }
      sse(res);
      send(res, attempt);
      if (attempt === 1) res.end();
    });
    const s = open(url);
    await s.until(() => s.ids.length === 2);
    expect(s.ids).toEqual(['1', '3']);
    expect(requests).toHaveLength(3);
    expect(s.states).toContainEqual({ kind: 'retrying', inMs: 0, reason: 'shutting down' });
  });

  it('stops for good on a 401 and reports the host error', async () => {
    const { url, requests } = await serve((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'unknown key' } }));
    });
    const s = open(url);
    await s.until(() => s.states.some((st) => st.kind === 'failed'));
    const failed = s.states.find((st) => st.kind === 'failed');
    expect(failed?.kind === 'failed' && failed.error).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(requests).toHaveLength(1);
  });

  it('reconnect() drops the connection and resumes at once', async () => {
    const { url, requests } = await serve((req, res) => {
      sse(res);
      const after = req.headers['last-event-id'];
      send(res, after === undefined ? 0 : Number(after) + 1);
    });
    const s = open(url);
    await s.until(() => s.ids.length === 1);
    stream!.reconnect();
    await s.until(() => s.ids.length === 2);
    expect(s.ids).toEqual(['0', '1']);
    expect(requests[1]!.headers['last-event-id']).toBe('0');
  });
});
