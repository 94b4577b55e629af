import { resolveLoadOptions } from '../options.js';
import type { LoadReport } from '../report.js';

const latency = (p50: number) => ({
  count: 30,
  min: 1.5,
  mean: 20.25,
  p50,
  p90: 40,
  p95: 55.125,
  p99: 80,
  max: 91.001,
});

/** A report as `runLoad` produces it, with round numbers. */
export function sampleReport(): LoadReport {
  const { apiKey: _apiKey, ...config } = resolveLoadOptions({
    sessions: 20,
    turns: 3,
    shards: 0,
    quiet: true,
  });
  return {
    reportVersion: 2,
    startedAt: '2025-01-02T03:04:05.678Z',
    target: 'embedded',
    mode: 'closed',
    latencyFrom: 'start',
    sessions: 20,
    turns: 60,
    turnsPlanned: 60,
    turnsSkipped: 0,
    events: 580,
    errors: 0,
    errorBreakdown: {
      rejectedCalls: 0,
      unexpectedErrorEvents: 0,
      unexpectedOutcomes: 0,
      timedOutTurns: 0,
      checkViolations: 0,
      logMismatches: 0,
    },
    violations: {},
    errorSamples: [],
    approvals: 20,
    denials: 2,
    toolFailures: 0,
    notes: { merged: 1, notMerged: 0, dequeued: 1, dequeueMissed: 0, compacted: 0, compactNoop: 1 },
    verified: true,
    durationMs: 1000,
    turnsPerSecond: 60,
    eventsPerSecond: 580,
    turnLatencyMs: { ...latency(12.5), count: 60 },
    kinds: {
      create: { turns: 20, errors: 0, latencyMs: latency(2) },
      echo: { turns: 30, errors: 0, latencyMs: latency(10) },
      bash: { turns: 30, errors: 0, latencyMs: latency(14) },
    },
    timeSeries: [
      { t: 0, started: 40, completed: 30, events: 300, errors: 0, p50: 10, p99: 70 },
      { t: 1, started: 20, completed: 30, events: 280, errors: 0, p50: 14, p99: 90 },
    ],
    peakRssBytes: 150 * 1024 * 1024,
    heapBytesPerSession: 20_480,
    heapBytesPerSessionCreated: 8192,
    heapMeasuredAfterGc: true,
    phasesMs: { start: 100, create: 50, turns: 950, verify: 20, shutdown: 10 },
    shards: 0,
    durability: 'fsync',
    store: 'level',
    dataDir: '/tmp/shoal-loadtest-x',
    dataDirRemoved: true,
    node: 'v20.20.2',
    cpus: 2,
    platform: 'linux-x64',
    config,
  };
}
