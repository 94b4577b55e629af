import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadTestError } from './errors.js';
import { LoadReportSchema } from './report.js';
import { type LoadProgress, runLoad } from './run-load.js';

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

describe.each([0, 2])('runLoad end to end (level store in a temp dir, shards %i)', (shards) => {
  const sessions = 20;
  const turns = 3;
  let report: Awaited<ReturnType<typeof runLoad>>;
  const seen: LoadProgress[] = [];

  beforeAll(async () => {
    report = await runLoad({ sessions, turns, shards, quiet: true, logLevel: 'silent' }, (p) => seen.push(p));
  }, 60_000);

  it('runs every turn of every session without errors', () => {
    expect(report.errorSamples).toEqual([]);
    expect(report.errors).toBe(0);
    expect(report.sessions).toBe(sessions);
    expect(report.turns).toBe(sessions * turns);
    expect(report.turnsPlanned).toBe(sessions * turns);
    expect(report.turnsSkipped).toBe(0);
    expect(report.shards).toBe(shards);
    expect(report.store).toBe('level');
    expect(report.durability).toBe('fsync');
  });

  it('counts the events and approvals of the mixed script', () => {
    expect(report.events).toBeGreaterThanOrEqual(5 * report.turns);
    // mixed, 3 turns: echo, bash (asks for approval), read_file (pre-approved, reads what bash wrote)
    expect(report.approvals).toBe(sessions);
    expect(report.toolFailures).toBe(0);
  });

  it('reports sane latencies and rates', () => {
    const l = report.turnLatencyMs;
    expect(l.count).toBe(report.turns);
    expect(l.min).toBeGreaterThan(0);
    expect(l.p50).toBeGreaterThan(0);
    expect(l.p50).toBeLessThanOrEqual(l.p95);
    expect(l.p95).toBeLessThanOrEqual(l.p99);
    expect(l.p99).toBeLessThanOrEqual(l.max);
    expect(report.durationMs).toBeGreaterThan(0);
    expect(report.turnsPerSecond).toBeGreaterThan(0);
    expect(report.eventsPerSecond).toBeGreaterThan(report.turnsPerSecond);
    expect(report.peakRssBytes).toBeGreaterThan(0);
  });

  it('produces a report that matches its schema and removes its temp dir', async () => {
    expect(LoadReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(report.config).toMatchObject({ sessions, turns, shards, script: 'mixed' });
    expect(report.dataDirRemoved).toBe(true);
    expect(await exists(report.dataDir)).toBe(false);
  });

  it('reports progress through every phase up to the last turn', () => {
    expect(seen.map((p) => p.phase).filter((p, i, all) => all[i - 1] !== p)).toEqual([
      'starting',
      'creating',
      'running',
      'stopping',
    ]);
    const last = seen.at(-1)!;
    expect(last).toMatchObject({
      sessionsCreated: sessions,
      sessionsDone: sessions,
      turnsDone: sessions * turns,
    });
  });
});

describe('runLoad options', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shoal-loadtest-keep-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps a given data dir, limits concurrency, and runs the tools script', async () => {
    const dataDir = join(dir, 'data');
    const report = await runLoad({
      sessions: 6,
      turns: 4,
      concurrency: 2,
      shards: 0,
      script: 'tools',
      durability: 'buffered',
      dataDir,
      logLevel: 'silent',
    });
    expect(report.errors).toBe(0);
    expect(report.turns).toBe(24);
    expect(report.approvals).toBe(12); // bash, read_file, bash, read_file
    expect(report.dataDirRemoved).toBe(false);
    expect(report.durability).toBe('buffered');
    expect(await readdir(dataDir)).toEqual(expect.arrayContaining(['events', 'workspaces']));
    expect(await readdir(join(dataDir, 'workspaces'))).toHaveLength(6);
  });

  it('runs on the memory store', async () => {
    const report = await runLoad({ sessions: 5, turns: 2, shards: 0, store: 'memory', script: 'echo' });
    expect(report.errors).toBe(0);
    expect(report.turns).toBe(10);
    expect(report.approvals).toBe(0);
    expect(report.store).toBe('memory');
  });

  it('rejects --target: the HTTP host is not available yet', async () => {
    const err = await runLoad({ target: 'http://127.0.0.1:8787' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoadTestError);
    expect((err as LoadTestError).code).toBe('TARGET_UNAVAILABLE');
    expect((err as LoadTestError).message).toContain('the HTTP host target is not available yet');
  });

  it('rejects bad options before starting anything', async () => {
    const err = await runLoad({ sessions: -5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoadTestError);
    expect((err as LoadTestError).code).toBe('INVALID_OPTIONS');
  });

  it('fails with RUNTIME_START when the data dir cannot be used', async () => {
    const file = join(dir, 'a-file');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, 'x'));
    const err = await runLoad({ sessions: 1, turns: 1, shards: 0, dataDir: file }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoadTestError);
    expect((err as LoadTestError).code).toBe('RUNTIME_START');
  });
});
