import Table from 'cli-table3';
import { formatMix } from './mix.js';
import type { LoadReport } from './report.js';

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

export function formatMs(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}

const int = (n: number) => n.toLocaleString('en-US');
const rate = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
const style = { head: [], border: [] };

/** The end-of-run summary (cli-table3, plain text): the run, then latency percentiles per turn kind. */
export function renderSummary(report: LoadReport): string {
  const table = new Table({
    head: ['metric', 'value'],
    style,
    colWidths: [30, 90],
    wordWrap: true,
    wrapOnWordBoundary: false,
  });
  const l = report.turnLatencyMs;
  const where =
    report.target !== 'embedded'
      ? `host ${report.target}`
      : report.shards === 0
        ? 'embedded, in-process (shards 0)'
        : `embedded, ${report.shards} worker thread${report.shards === 1 ? '' : 's'}, ${report.store} store, ${report.durability}`;
  const loop =
    report.mode === 'open'
      ? `open loop, ${rate(report.config.rate ?? 0)} turns/s (latency from the scheduled start)`
      : `closed loop, ${int(report.config.concurrency ?? report.config.sessions)} in flight`;
  const b = report.errorBreakdown;
  const errorParts = Object.entries(b)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`);
  table.push(
    ['target', where],
    ['load', loop],
    ['mix', formatMix(report.config.mix)],
    ['sessions', int(report.sessions)],
    [
      'turns',
      `${int(report.turns)} of ${report.turnsPlanned === null ? 'unbounded' : int(report.turnsPlanned)}` +
        (report.turnsSkipped > 0 ? ` (${int(report.turnsSkipped)} skipped)` : ''),
    ],
    ['events', int(report.events)],
    ['approvals', `${int(report.approvals)} approved, ${int(report.denials)} denied`],
    ['errors', report.errors === 0 ? '0' : `${int(report.errors)} (${errorParts.join(', ')})`],
    ['self-checks', report.verified ? 'live + stored logs re-read and compared' : 'live only (--no-verify)'],
    ['duration', formatMs(report.durationMs)],
    ['turns/s', rate(report.turnsPerSecond)],
    ['events/s', rate(report.eventsPerSecond)],
    ['turn latency p50 / p99 / max', `${formatMs(l.p50)} / ${formatMs(l.p99)} / ${formatMs(l.max)}`],
    ['peak RSS', formatBytes(report.peakRssBytes)],
  );
  if (report.target === 'embedded') {
    table.push([
      'heap per session',
      `${formatBytes(report.heapBytesPerSession)} after turns` +
        (report.heapBytesPerSessionCreated > 0
          ? `, ${formatBytes(report.heapBytesPerSessionCreated)} new`
          : '') +
        (report.heapMeasuredAfterGc ? '' : ' (no forced GC in workers)'),
    ]);
  }
  table.push(['node / cpus', `${report.node} / ${report.cpus}`]);

  const kinds = new Table({ head: ['kind', 'turns', 'errors', 'p50', 'p90', 'p99', 'max'], style });
  for (const [kind, stats] of Object.entries(report.kinds)) {
    if (stats === undefined) continue;
    const k = stats.latencyMs;
    kinds.push([
      kind,
      int(stats.turns),
      int(stats.errors),
      formatMs(k.p50),
      formatMs(k.p90),
      formatMs(k.p99),
      formatMs(k.max),
    ]);
  }
  return `${table.toString()}\n${kinds.toString()}`;
}
