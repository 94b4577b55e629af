import { describe, expect, it } from 'vitest';
import { LoadReportSchema } from './report.js';
import { formatBytes, renderSummary } from './summary-table.js';
import { sampleReport } from './test-support/sample-report.js';

describe('LoadReportSchema', () => {
  it('accepts a report and its JSON round trip', () => {
    const report = sampleReport();
    expect(LoadReportSchema.parse(report)).toEqual(report);
    expect(LoadReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
  });

  it('requires the api.md fields, the per-kind latencies and the time series', () => {
    for (const key of [
      'sessions',
      'turns',
      'events',
      'errors',
      'durationMs',
      'eventsPerSecond',
      'turnLatencyMs',
      'peakRssBytes',
      'heapBytesPerSession',
      'kinds',
      'timeSeries',
      'config',
    ] as const) {
      const report: Record<string, unknown> = { ...sampleReport() };
      delete report[key];
      const r = LoadReportSchema.safeParse(report);
      expect(r.success, key).toBe(false);
      expect(r.error?.issues[0]?.path, key).toEqual([key]);
    }
    for (const p of ['p50', 'p95', 'p99', 'max'] as const) {
      const report = sampleReport();
      const latency: Record<string, number> = { ...report.turnLatencyMs };
      delete latency[p];
      expect(LoadReportSchema.safeParse({ ...report, turnLatencyMs: latency }).success, p).toBe(false);
    }
  });

  it('rejects wrong values and unknown fields', () => {
    const base = sampleReport();
    expect(LoadReportSchema.safeParse({ ...base, errors: -1 }).success).toBe(false);
    expect(LoadReportSchema.safeParse({ ...base, turns: 1.5 }).success).toBe(false);
    expect(LoadReportSchema.safeParse({ ...base, durability: 'sometimes' }).success).toBe(false);
    expect(LoadReportSchema.safeParse({ ...base, startedAt: 'yesterday' }).success).toBe(false);
    expect(LoadReportSchema.safeParse({ ...base, kinds: { poetry: base.kinds.echo } }).success).toBe(false);
    expect(LoadReportSchema.safeParse({ ...base, surprise: true }).success).toBe(false);
    expect(
      LoadReportSchema.safeParse({ ...base, config: { ...base.config, apiKey: 'secret' } }).success,
    ).toBe(false);
  });
});

describe('renderSummary', () => {
  it('shows every headline number and a row per kind', () => {
    const text = renderSummary(sampleReport());
    for (const row of [
      'sessions',
      'turns',
      'events',
      'errors',
      'turns/s',
      'events/s',
      'peak RSS',
      'heap per session',
    ]) {
      expect(text).toContain(row);
    }
    expect(text).toContain('60 of 60');
    expect(text).toContain('12.5 ms / 80.0 ms / 91.0 ms');
    expect(text).toContain('150.0 MiB');
    expect(text).toContain('20.0 KiB after turns, 8.0 KiB new');
    expect(text).toContain('embedded, in-process (shards 0)');
    expect(text).toMatch(/│ create +│ 20 +│ 0 +│ 2\.00 ms/);
    expect(text).toMatch(/│ bash +│ 30 +│ 0 +│ 14\.0 ms/);
  });

  it('breaks errors down', () => {
    const report = sampleReport();
    report.errors = 3;
    report.errorBreakdown = { ...report.errorBreakdown, rejectedCalls: 1, timedOutTurns: 2 };
    report.turnsSkipped = 4;
    const text = renderSummary(report);
    expect(text).toContain('3 (rejectedCalls 1, timedOutTurns 2)');
    expect(text).toContain('(4 skipped)');
  });
});

describe('formatBytes', () => {
  it('picks a binary unit', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
    expect(formatBytes(-2048)).toBe('-2.0 KiB');
  });
});
