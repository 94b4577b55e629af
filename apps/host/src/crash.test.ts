import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { type ChildHost, spawnHost } from './test-support/child-host.js';
import { api, tempDir } from './test-support/host-harness.js';
import { openStream, readUntil } from './test-support/sse-reader.js';

const KEY = 'crash-key';
const children: ChildHost[] = [];
let dir: string | undefined;

afterAll(async () => {
  for (const c of children)
    if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

function start(dataDir: string): Promise<ChildHost> {
  return spawnHost(
    ['--port', '0', '--data-dir', dataDir, '--shards', '2', '--durability', 'fsync', '--log-level', 'error'],
    { SHOAL_API_KEYS: `acme:${KEY}` },
  ).then((h) => {
    children.push(h);
    return h;
  });
}

it('loses no acknowledged input when killed with SIGKILL under load, and restarts on the same data dir', async () => {
  dir = await tempDir('shoal-crash-');
  const dataDir = join(dir, 'data');
  const first = await start(dataDir);
  const sessions: string[] = [];
  for (let i = 0; i < 8; i++) {
    const r = await api(first.url, '/v1/sessions', { method: 'POST', key: KEY });
    expect(r.status).toBe(201);
    sessions.push(r.json.id);
  }

  // Every session takes inputs one after another, all sessions at once; each 2xx is remembered.
  const acknowledged: Array<{ sessionId: string; messageId: string }> = [];
  let killed = false;
  let reachedTarget!: () => void;
  const enough = new Promise<void>((resolve) => {
    reachedTarget = resolve;
  });
  const writers = sessions.map(async (sessionId) => {
    for (let n = 0; !killed; n++) {
      try {
        const r = await api(first.url, `/v1/sessions/${sessionId}/input`, {
          key: KEY,
          body: { text: `input ${n}` },
        });
        if (r.status === 202) acknowledged.push({ sessionId, messageId: r.json.messageId });
        if (acknowledged.length >= 80) reachedTarget();
      } catch {
        return; // the connection died with the host
      }
    }
  });
  await enough;
  first.child.kill('SIGKILL');
  killed = true;
  await first.exited;
  await Promise.all(writers);

  const second = await start(dataDir);
  for (const sessionId of sessions) {
    const state = await api(second.url, `/v1/sessions/${sessionId}`, { key: KEY });
    expect(state.status).toBe(200);
    const last = state.json.eventSequence - 1;
    const stream = await openStream(`${second.url}/v1/sessions/${sessionId}/events`, KEY);
    const events = await readUntil(stream.messages, (m) => Number(m.id) === last);
    stream.abort();
    const seqs = events.map((m) => Number(m.id));
    expect(seqs).toEqual([...Array(last + 1).keys()]);
    const log = events.map((m) => m.data).join('\n');
    for (const a of acknowledged) {
      if (a.sessionId === sessionId) expect(log, `input ${a.messageId}`).toContain(a.messageId);
    }
  }
  second.child.kill('SIGTERM');
  expect(await second.exited).toEqual({ code: 0, signal: null });
}, 120_000);
