import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadReportSchema } from './report.js';

// The test task runs after the build (turbo `test` depends on `build`), so dist/ is current. The committed bin
// file is what `npx shoal-loadtest` runs.
const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'shoal-loadtest.js');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to its end (no fixed wait: the test's own timeout is the only limit). */
function cli(args: string[]): Promise<CliResult> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [BIN, ...args], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err === null) return done({ code: 0, stdout, stderr });
      if (typeof err.code === 'number') return done({ code: err.code, stdout, stderr });
      fail(err);
    });
  });
}

describe('shoal-loadtest CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shoal-loadtest-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a small load, prints the summary and writes valid JSON and HTML reports', {
    timeout: 180_000,
  }, async () => {
    const json = join(dir, 'report.json');
    const html = join(dir, 'report.html');
    const r = await cli([
      '--sessions',
      '4',
      '--turns',
      '3',
      '--mix',
      'echo=2,bash=1',
      '--json',
      json,
      '--html',
      html,
    ]);
    expect(r.stderr).not.toContain('unexpected failure');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('turn latency p50 / p99 / max');
    expect(r.stdout).toContain('12 of 12');
    expect(r.stdout).toMatch(/│ echo +│/);
    const report = LoadReportSchema.parse(JSON.parse(await readFile(json, 'utf8')));
    expect(report).toMatchObject({ sessions: 4, turns: 12, errors: 0, durability: 'fsync', store: 'level' });
    expect(report.config).toMatchObject({ sessions: 4, turns: 3, json });
    expect(report.shards).toBeGreaterThanOrEqual(1); // the runtime's default: worker threads
    expect(report.heapMeasuredAfterGc).toBe(true); // relaunched with --expose-gc: every shard collected first
    const page = await readFile(html, 'utf8');
    expect(page).toContain('<script id="report-data" type="application/json">');
    expect(page).not.toMatch(/<script[^>]+src=|<link[^>]+href=/); // self-contained
  });

  it('prints the usage for --help', { timeout: 60_000 }, async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: shoal-loadtest');
    for (const flag of ['--mix', '--rate', '--duration', '--target', '--api-key', '--html', '--json']) {
      expect(r.stdout).toContain(flag);
    }
  });

  it.each([
    [['--sessions', 'many'], "--sessions: expected a number, got 'many'"],
    [['--mix', 'echo=1,poetry=2'], "--mix: unknown turn kind 'poetry'"],
    [['--rate', '-3'], "Option '--rate' argument is ambiguous"],
    [['--target', 'http://127.0.0.1:9'], '--api-key: required with --target'],
    [['--frobnicate'], "Unknown option '--frobnicate'"],
  ])('exits 2 naming the flag for %j', { timeout: 60_000 }, async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('exits 1 when the host cannot be reached', { timeout: 60_000 }, async () => {
    // port 9 (discard) on loopback: nothing listens there
    const r = await cli([
      '--target',
      'http://127.0.0.1:9',
      '--api-key',
      'k',
      '--sessions',
      '1',
      '--turns',
      '1',
      '--quiet',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/NETWORK|ECONNREFUSED|fetch failed/);
  });
});
