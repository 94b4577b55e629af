import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACME_KEY, createSession, startTestHost, type TestHost } from './test-support/host-harness.js';
import { waitFor } from './test-support/wait.js';

/*
 * The bytes of an event stream on the wire. The host writes a stream's body to the socket itself (src/sse.ts),
 * so these check what Node would otherwise guarantee: well-formed HTTP/1.1 chunks and a clean terminating chunk
 * after which the connection serves the next request, a raw body for an HTTP/1.0 client, no body for HEAD.
 */

let t: TestHost;

beforeAll(async () => {
  t = await startTestHost();
});
afterAll(async () => {
  await t.close();
});

/** A raw loopback connection to the host that keeps every byte it receives. */
async function rawConnection(): Promise<{ socket: Socket; received: () => string }> {
  const socket = connect({ host: '127.0.0.1', port: Number(new URL(t.url).port) });
  let text = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    text += chunk;
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, received: () => text };
}

const request = (method: string, path: string, version = '1.1') =>
  `${method} ${path} HTTP/${version}\r\nhost: x\r\nauthorization: Bearer ${ACME_KEY}\r\n\r\n`;

/** Decodes a chunked body strictly: every size line must match its data, up to the terminating chunk. */
function dechunk(body: string): { text: string; rest: string } {
  let text = '';
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) throw new Error(`no chunk size line at ${at}`);
    const size = Number.parseInt(body.slice(at, eol), 16);
    if (!/^[0-9a-f]+$/.test(body.slice(at, eol))) throw new Error(`bad chunk size "${body.slice(at, eol)}"`);
    const data = body.slice(eol + 2, eol + 2 + size);
    if (body.slice(eol + 2 + size, eol + 4 + size) !== '\r\n')
      throw new Error(`chunk at ${at} is not ${size} bytes`);
    at = eol + 4 + size;
    if (size === 0) return { text, rest: body.slice(at) };
    text += data;
  }
}

async function deleteSession(id: string): Promise<void> {
  expect((await t.api(`/v1/sessions/${id}`, { method: 'DELETE' })).status).toBe(204);
}

describe('the event stream on the wire', () => {
  it('is well-formed HTTP/1.1 chunks ending in a terminating chunk, and the connection serves the next request', async () => {
    const id = await createSession(t);
    const { socket, received } = await rawConnection();
    socket.write(request('GET', `/v1/sessions/${id}/events`));
    expect((await t.api(`/v1/sessions/${id}/input`, { body: { text: 'hello' } })).status).toBe(202);
    await waitFor('the turn on the stream', async () =>
      received().includes('event: OperationCompleted') ? true : undefined,
    );
    // Deleting the session ends its stream cleanly; then the same connection asks for /healthz.
    await deleteSession(id);
    await waitFor('the terminating chunk', async () =>
      received().includes('\r\n0\r\n\r\n') ? true : undefined,
    );
    socket.write(request('GET', '/healthz'));
    await waitFor('the /healthz answer', async () =>
      received().endsWith('{"status":"ok"}') ? true : undefined,
    );
    socket.destroy();

    const raw = received();
    const headEnd = raw.indexOf('\r\n\r\n');
    expect(raw.slice(0, headEnd)).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(raw.slice(0, headEnd).toLowerCase()).toContain('transfer-encoding: chunked');
    const { text, rest } = dechunk(raw.slice(headEnd + 4));
    const types = [...text.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    expect(types[0]).toBe('SessionCreated');
    expect(types).toContain('UserMessageAdded');
    expect(types).toContain('OperationCompleted');
    expect([...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))).toEqual([...types.keys()]);
    expect(text.endsWith('\n\n')).toBe(true);
    expect(rest).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });

  it('is the raw event text for an HTTP/1.0 client, ended by closing the connection', async () => {
    const id = await createSession(t);
    const { socket, received } = await rawConnection();
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(request('GET', `/v1/sessions/${id}/events`, '1.0'));
    await waitFor('the first event', async () =>
      received().includes('event: SessionCreated') ? true : undefined,
    );
    await deleteSession(id);
    await closed;
    const raw = received();
    const headEnd = raw.indexOf('\r\n\r\n');
    expect(raw.slice(0, headEnd).toLowerCase()).not.toContain('transfer-encoding');
    expect(raw.slice(headEnd + 4)).toMatch(/^id: 0\nevent: SessionCreated\ndata: \{"seq":0,/);
    expect(raw.endsWith('\n\n')).toBe(true);
  });

  it('answers HEAD with the head and no body, and the connection serves the next request', async () => {
    const id = await createSession(t);
    const { socket, received } = await rawConnection();
    socket.write(request('HEAD', `/v1/sessions/${id}/events`));
    await waitFor('the head', async () => (received().includes('\r\n\r\n') ? true : undefined));
    expect((await t.api(`/v1/sessions/${id}/input`, { body: { text: 'hello' } })).status).toBe(202);
    await waitFor('the turn to end', async () =>
      (await t.api(`/v1/sessions/${id}`)).json.currentOperation === null ? true : undefined,
    );
    await deleteSession(id);
    socket.write(request('GET', '/healthz'));
    await waitFor('the /healthz answer', async () =>
      received().endsWith('{"status":"ok"}') ? true : undefined,
    );
    socket.destroy();
    const raw = received();
    const headEnd = raw.indexOf('\r\n\r\n');
    expect(raw.slice(0, headEnd)).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    // Right after the HEAD response's head comes the next response: no event text, no chunk.
    expect(raw.slice(headEnd + 4)).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(raw).not.toContain('event: ');
  });
});
