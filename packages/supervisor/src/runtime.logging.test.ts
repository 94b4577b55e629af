import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './test-support/harness.js';

describe('logging', () => {
  it('every thread logs JSON lines to one stream, with shard and sessionId fields', async () => {
    const dataDir = await tempDir();
    const script = join(dataDir, 'log-child.mjs');
    const dist = new URL('../dist/index.js', import.meta.url).pathname;
    await writeFile(
      script,
      `import { Runtime } from ${JSON.stringify(dist)};
const rt = await Runtime.start({ dataDir: ${JSON.stringify(dataDir)}, logLevel: 'debug', shards: 2 });
for (let i = 0; i < 4; i++) await rt.getSessionState('00000000-0000-4000-8000-00000000000' + i).catch(() => {});
await rt.shutdown();
`,
    );
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => l.component === 'supervisor' && l.msg === 'runtime started')).toBe(true);
    const sessionLines = lines.filter((l) => typeof l.sessionId === 'string');
    expect(sessionLines.length).toBeGreaterThanOrEqual(4);
    for (const l of sessionLines) expect([0, 1]).toContain(l.shard);
    // both worker threads wrote to the same stream
    expect(new Set(sessionLines.map((l) => l.shard)).size).toBe(2);
    await rm(dataDir, { recursive: true, force: true });
  });
});
