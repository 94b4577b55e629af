import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadReportSchema } from './report.js';

// The test task runs after the build (turbo `test` depends on `build`), so dist/cli.js is current.
const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], {
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('shoal-loadtest CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shoal-loadtest-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a small load, prints the summary and writes a valid JSON report', async () => {
    const file = join(dir, 'report.json');
    const r = await cli(['--sessions', '5', '--turns', '2', '--json', file]);
    expect(r.stderr).not.toContain('unexpected failure');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('turn latency p99');
    expect(r.stdout).toContain('10 of 10');
    const report = LoadReportSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    expect(report).toMatchObject({ sessions: 5, turns: 10, errors: 0, durability: 'fsync', store: 'level' });
    expect(report.config).toMatchObject({ sessions: 5, turns: 2, json: file });
    expect(report.events).toBeGreaterThanOrEqual(5 * 10);
    expect(report.turnLatencyMs.max).toBeGreaterThan(0);
    expect(report.shards).toBeGreaterThanOrEqual(1); // the runtime's default: worker threads
  });

  it('prints the usage for --help', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: shoal-loadtest');
    expect(r.stdout).toContain('--turn-timeout-ms');
  });

  it('exits 2 with a clear message for bad options', async () => {
    const r = await cli(['--sessions', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--sessions: expected a number, got 'many'");
    expect(r.stdout).toBe('');
  });

  it('exits 2 for --target: the HTTP host is not available yet', async () => {
    const r = await cli(['--target', 'http://127.0.0.1:8787']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the HTTP host target is not available yet');
  });
});
