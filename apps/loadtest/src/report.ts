import Table from 'cli-table3';
import { z } from 'zod';
import { LoadOptionsSchema } from './options.js';

const count = z.number().int().nonnegative();
const ms = z.number().nonnegative();
const rate = z.number().nonnegative();

export const LatencySummarySchema = z
  .object({
    count,
    min: ms,
    mean: ms,
    p50: ms,
    p90: ms,
    p95: ms,
    p99: ms,
    max: ms,
  })
  .strict();

/** The machine-readable result of one load run (`--json FILE`, and what `runLoad` resolves with). */
export const LoadReportSchema = z
  .object({
    /** bumped when a field changes meaning or goes away */
    reportVersion: z.literal(1),
    /** ISO 8601 time the run started */
    startedAt: z.iso.datetime(),
    /** sessions created (the requested number is `config.sessions`) */
    sessions: count,
    /** turns that ended: completed, errored, cancelled or timed out */
    turns: count,
    /** sessions × turns per session */
    turnsPlanned: count,
    /** turns never started because their session stopped at an error */
    turnsSkipped: count,
    /** events received on the sessions' event subscriptions */
    events: count,
    /** the sum of `errorBreakdown` */
    errors: count,
    errorBreakdown: z
      .object({
        /** runtime calls (create, subscribe, submit, approve) that rejected */
        rejectedCalls: count,
        /** turns that ended with an `Error` event */
        errorTurns: count,
        /** turns that ended with `OperationCancelled` (the harness never cancels a turn it waits for) */
        cancelledTurns: count,
        /** turns with no end event within `config.turnTimeoutMs` */
        timedOutTurns: count,
        /** `Error` events that arrived while no turn of their session was running */
        strayErrorEvents: count,
      })
      .strict(),
    /** the first few error messages, for diagnosis */
    errorSamples: z.array(z.string()).max(20),
    /** approvals granted (one per `ApprovalRequested`) */
    approvals: count,
    /** `ToolCallFailed` events (a tool that ran and failed is a result, not a harness error) */
    toolFailures: count,
    /** creating the sessions plus driving every turn (runtime start and shutdown excluded) */
    durationMs: ms,
    turnsPerSecond: rate,
    eventsPerSecond: rate,
    /** submitUserInput → the op's OperationCompleted/Cancelled (or an Error) on the subscription */
    turnLatencyMs: LatencySummarySchema,
    /** peak resident set size of the whole process (all threads), from getrusage */
    peakRssBytes: count,
    /** heap after every session ran its turns and is idle, minus the baseline, per session */
    heapBytesPerSession: z.number(),
    /** the same, measured right after the sessions were created (before any turn) */
    heapBytesPerSessionCreated: z.number(),
    /** whether the heap figures include a forced GC on every isolate they cover */
    heapMeasuredAfterGc: z.boolean(),
    phasesMs: z.object({ start: ms, create: ms, turns: ms, shutdown: ms }).strict(),
    /** worker threads the runtime used; 0 = actors on the calling thread */
    shards: z.number().int().min(0),
    durability: z.enum(['fsync', 'buffered']),
    store: z.enum(['level', 'memory']),
    /** the data dir used (removed at the end unless `config.keep` or it was given) */
    dataDir: z.string(),
    dataDirRemoved: z.boolean(),
    /** `process.version` */
    node: z.string(),
    /** `os.availableParallelism()` */
    cpus: z.number().int().positive(),
    platform: z.string(),
    /** the options of the run, defaults filled in */
    config: LoadOptionsSchema,
  })
  .strict();

export type LoadReport = z.infer<typeof LoadReportSchema>;

/** Human-readable sizes: 1536 → '1.5 KiB'. */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  let v = Math.abs(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${sign}${i === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

function formatMs(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 3 : 1)} ms`;
}

function formatRate(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

/** The end-of-run summary table (cli-table3; plain text without colours). */
export function renderSummary(report: LoadReport): string {
  const table = new Table({ head: ['metric', 'value'], style: { head: [], border: [] } });
  const l = report.turnLatencyMs;
  const b = report.errorBreakdown;
  const where =
    report.shards === 0
      ? 'in-process (shards 0)'
      : `${report.shards} worker thread${report.shards === 1 ? '' : 's'}`;
  table.push(
    ['runtime', `${where}, ${report.store} store, ${report.durability}, script ${report.config.script}`],
    ['sessions', report.sessions.toLocaleString('en-US')],
    [
      'turns',
      `${report.turns.toLocaleString('en-US')} of ${report.turnsPlanned.toLocaleString('en-US')}` +
        (report.turnsSkipped > 0 ? ` (${report.turnsSkipped} skipped)` : ''),
    ],
    ['events', report.events.toLocaleString('en-US')],
    ['approvals', report.approvals.toLocaleString('en-US')],
    [
      'errors',
      report.errors === 0
        ? '0'
        : `${report.errors} (rejected calls ${b.rejectedCalls}, error turns ${b.errorTurns}, ` +
          `cancelled ${b.cancelledTurns}, timed out ${b.timedOutTurns}, stray ${b.strayErrorEvents})`,
    ],
    ['duration', formatMs(report.durationMs)],
    ['turns/s', formatRate(report.turnsPerSecond)],
    ['events/s', formatRate(report.eventsPerSecond)],
    ['turn latency p50', formatMs(l.p50)],
    ['turn latency p95', formatMs(l.p95)],
    ['turn latency p99', formatMs(l.p99)],
    ['turn latency max', formatMs(l.max)],
    ['peak RSS', formatBytes(report.peakRssBytes)],
    [
      'heap per session',
      `${formatBytes(report.heapBytesPerSession)} after turns, ${formatBytes(report.heapBytesPerSessionCreated)} new` +
        (report.heapMeasuredAfterGc ? '' : ' (no forced GC in workers)'),
    ],
    ['node / cpus', `${report.node} / ${report.cpus}`],
  );
  return table.toString();
}
