import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadTestError } from './errors.js';
import { TURN_KINDS } from './mix.js';
import { LoadReportSchema } from './report.js';
import { type LoadProgress, runLoad } from './run-load.js';

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

describe.each([0, 2])(
  'runLoad end to end, default mix (level store in a temp dir, fsync, shards %i)',
  (shards) => {
    const sessions = 14;
    const turns = 4;
    let report: Awaited<ReturnType<typeof runLoad>>;
    const seen: LoadProgress[] = [];

    beforeAll(async () => {
      report = await runLoad(
        { sessions, turns, shards, busyMs: 300, quiet: true, logLevel: 'silent' },
        { onProgress: (p) => seen.push(p) },
      );
    }, 120_000);

    it('runs every turn of every session without errors, logs verified', () => {
      expect(report.errorSamples).toEqual([]);
      expect(report.errors).toBe(0);
      expect(report.verified).toBe(true);
      expect(report).toMatchObject({
        sessions,
        turns: sessions * turns,
        turnsPlanned: sessions * turns,
        turnsSkipped: 0,
        shards,
        store: 'level',
        durability: 'fsync',
        mode: 'closed',
        latencyFrom: 'start',
        target: 'embedded',
      });
    });

    it('mixes the kinds and reports latency for each', () => {
      const kinds = Object.keys(report.kinds);
      expect(kinds[0]).toBe('create');
      expect(kinds.length).toBeGreaterThan(8);
      for (const kind of kinds) expect(['create', ...TURN_KINDS]).toContain(kind);
      const perKind = Object.entries(report.kinds)
        .filter(([k]) => k !== 'create')
        .reduce((n, [, s]) => n + s!.turns, 0);
      expect(perKind).toBe(report.turns);
      expect(report.kinds.create!.turns).toBe(sessions);
    });

    it('reports sane latencies, rates and a time series', () => {
      const l = report.turnLatencyMs;
      expect(l.count).toBe(report.turns);
      expect(l.p50).toBeGreaterThan(0);
      expect(l.p50).toBeLessThanOrEqual(l.p95);
      expect(l.p95).toBeLessThanOrEqual(l.p99);
      expect(l.p99).toBeLessThanOrEqual(l.max);
      expect(report.eventsPerSecond).toBeGreaterThan(report.turnsPerSecond);
      expect(report.timeSeries.map((s) => s.t)).toEqual(report.timeSeries.map((_, i) => i));
      expect(report.timeSeries.reduce((n, s) => n + s.completed, 0)).toBe(report.turns);
      expect(report.timeSeries.reduce((n, s) => n + s.events, 0)).toBe(report.events);
      expect(report.peakRssBytes).toBeGreaterThan(0);
    });

    it('produces a report that matches its schema and removes its temp dir', async () => {
      expect(LoadReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
      expect(report.dataDirRemoved).toBe(true);
      expect(await exists(report.dataDir!)).toBe(false);
    });

    it('reports progress through every phase up to the last turn', () => {
      expect(seen.map((p) => p.phase).filter((p, i, all) => all[i - 1] !== p)).toEqual([
        'starting',
        'creating',
        'running',
        'verifying',
        'stopping',
      ]);
      expect(seen.at(-1)).toMatchObject({ sessionsCreated: sessions, turnsDone: sessions * turns });
    });
  },
);

describe('runLoad modes and options', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shoal-loadtest-run-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('open loop: starts rate × duration turns, latency from the scheduled start', async () => {
    const report = await runLoad({
      sessions: 5,
      rate: 40,
      duration: 1,
      mix: { echo: 1 },
      shards: 0,
      quiet: true,
    });
    expect(report.errorSamples).toEqual([]);
    expect(report).toMatchObject({ mode: 'open', latencyFrom: 'scheduled', turnsPlanned: 40, turns: 40 });
  });

  it('creates sessions on arrival', async () => {
    const report = await runLoad({
      sessions: 6,
      turns: 2,
      create: 'on-arrival',
      mix: { echo: 1 },
      shards: 0,
      quiet: true,
    });
    expect(report.errors).toBe(0);
    expect(report.sessions).toBe(6);
    expect(report.kinds.create!.turns).toBe(6);
    expect(report.heapBytesPerSessionCreated).toBe(0);
  });

  it('closed loop bounded by --duration', async () => {
    const report = await runLoad({
      sessions: 3,
      duration: 0.5,
      mix: { echo: 1 },
      shards: 0,
      store: 'memory',
      quiet: true,
    });
    expect(report.errors).toBe(0);
    expect(report.turnsPlanned).toBeNull();
    expect(report.turns).toBeGreaterThan(0);
    expect(report.store).toBe('memory');
  });

  it('keeps a given data dir and limits concurrency', async () => {
    const dataDir = join(dir, 'data');
    const report = await runLoad({
      sessions: 6,
      turns: 2,
      concurrency: 2,
      shards: 0,
      mix: { bash: 1, read: 1 },
      durability: 'buffered',
      dataDir,
      logLevel: 'silent',
      quiet: true,
    });
    expect(report.errors).toBe(0);
    expect(report.turns).toBe(12);
    expect(report.dataDirRemoved).toBe(false);
    expect(report.durability).toBe('buffered');
    expect(await readdir(dataDir)).toEqual(expect.arrayContaining(['events', 'workspaces']));
  });

  it('stops starting turns when asked (Ctrl-C)', async () => {
    let checks = 0;
    const report = await runLoad(
      { sessions: 2, turns: 50, mix: { echo: 1 }, shards: 0, store: 'memory', quiet: true },
      { stopRequested: () => ++checks > 6 },
    );
    expect(report.errors).toBe(0);
    expect(report.turns).toBe(6); // two lanes, each checks before every turn
  });

  it('rejects bad options before starting anything', async () => {
    const err = await runLoad({ sessions: -5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoadTestError);
    expect((err as LoadTestError).code).toBe('INVALID_OPTIONS');
  });

  it('fails with RUNTIME_START when the data dir cannot be used', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    const err = await runLoad({ sessions: 1, turns: 1, shards: 0, dataDir: file }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoadTestError);
    expect((err as LoadTestError).code).toBe('RUNTIME_START');
  });
});
