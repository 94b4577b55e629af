import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ChildHost, runHost, spawnHost } from './test-support/child-host.js';
import { api, tempDir } from './test-support/host-harness.js';
import { openStream, readUntil } from './test-support/sse-reader.js';

// Child processes start slowly on a busy machine: generous deadlines, never fixed waits.
vi.setConfig({ testTimeout: 120_000 });

const dirs: string[] = [];
const children: ChildHost[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const d = await tempDir('shoal-cli-');
  dirs.push(d);
  return d;
}

describe('shoal-host', () => {
  it('prints its help and exits 0', async () => {
    const r = await runHost(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: shoal-host');
    expect(r.stdout).toContain('--data-dir');
    expect(r.stdout).toContain('--node-id');
  });

  it('exits 2 naming an unknown flag or a bad value', async () => {
    const cases: Array<[string[], Record<string, string>, string]> = [
      [['--nope'], {}, '--nope'],
      [['--port', 'abc'], {}, '--port'],
      [['--durability', 'sometimes'], {}, '--durability'],
      [[], { SHOAL_SHARDS: 'many' }, 'SHOAL_SHARDS'],
      [['--keys', '/nonexistent/keys.json'], {}, '--keys'],
      [[], { SHOAL_API_KEYS: 'no-colon' }, 'SHOAL_API_KEYS'],
      [['--node-id', 'a'], {}, '--store'],
      [['--store', 'postgres'], {}, '--postgres-url'],
    ];
    const results = await Promise.all(cases.map(([args, env]) => runHost(args, env)));
    results.forEach((r, i) => {
      const [args, , setting] = cases[i] ?? [[], {}, ''];
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(setting);
    });
  });

  it('listens on --port 0, takes keys from a file and the environment, and shuts down on SIGTERM with an open stream', async () => {
    const dir = await dataDir();
    const keysFile = join(dir, 'keys.json');
    await writeFile(keysFile, JSON.stringify({ initech: ['file-key'] }));
    const h = await spawnHost(
      [
        '--port',
        '0',
        '--data-dir',
        join(dir, 'data'),
        '--keys',
        keysFile,
        '--shards',
        '1',
        '--log-level',
        'warn',
      ],
      { SHOAL_API_KEYS: 'acme:env-key' },
    );
    children.push(h);
    expect(h.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const created = await api(h.url, '/v1/sessions', { method: 'POST', key: 'file-key' });
    expect(created.status).toBe(201);
    expect((await api(h.url, '/v1/sessions', { key: 'env-key' })).json.sessions).toEqual([]);

    const stream = await openStream(`${h.url}/v1/sessions/${created.json.id}/events`, 'file-key');
    await readUntil(stream.messages, (m) => m.event === 'SessionCreated');
    h.child.kill('SIGTERM');
    // The stream is ended cleanly: the body finishes instead of failing.
    for (;;) {
      const { done } = await stream.messages.next();
      if (done) break;
    }
    const exit = await h.exited;
    expect(exit).toEqual({ code: 0, signal: null });
  });
});
