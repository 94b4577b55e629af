import { RuntimeError } from '@shoal/supervisor';
import { expect, it } from 'vitest';
import { ACME_KEY, createSession, startTestHost } from './test-support/host-harness.js';
import { openStream, readUntil } from './test-support/sse-reader.js';

it('shuts down gracefully: streams end cleanly, new requests get 503, in-flight requests finish', async () => {
  let entered!: () => void;
  const inHandler = new Promise<void>((resolve) => {
    entered = resolve;
  });
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const t = await startTestHost({}, (host) => {
    // A request that is still being handled when the shutdown starts.
    host.app.get('/test/slow', async () => {
      entered();
      await released;
      return { finished: true };
    });
  });
  const id = await createSession(t);
  const stream = await openStream(`${t.url}/v1/sessions/${id}/events`, ACME_KEY);
  await readUntil(stream.messages, (m) => m.event === 'SessionCreated');
  const slow = fetch(`${t.url}/test/slow`);
  await inHandler;

  const closing = t.host.close();
  // The open stream is ended cleanly: its body finishes rather than failing.
  for (;;) {
    const { done } = await stream.messages.next();
    if (done) break;
  }
  const ready = await t.api('/readyz', { key: null });
  expect(ready.status).toBe(503);
  expect(ready.headers.get('retry-after')).toBe('1');
  const refused = await t.api('/v1/sessions', { method: 'POST' });
  expect(refused.status).toBe(503);
  expect(refused.json.error.code).toBe('SHUTTING_DOWN');
  expect(refused.headers.get('retry-after')).toBe('1');
  expect((await t.api('/healthz', { key: null })).status).toBe(200);

  release();
  const done = await slow;
  expect(done.status).toBe(200);
  expect(await done.json()).toEqual({ finished: true });
  await closing;
  await expect(t.host.runtime.createSession()).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
  await expect(t.host.runtime.createSession()).rejects.toBeInstanceOf(RuntimeError);
  await t.close(); // idempotent; removes the data dir
});
