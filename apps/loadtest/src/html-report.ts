import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { formatMix } from './mix.js';
import type { LoadReport } from './report.js';
import { formatBytes, formatMs } from './summary-table.js';

const require = createRequire(import.meta.url);

/** uPlot's browser build and stylesheet, read from the installed package to be inlined. */
async function uplotAssets(): Promise<{ js: string; css: string }> {
  const js = await readFile(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const css = await readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  return { js, css };
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** JSON that is safe inside a <script> element (no `</script>`, no `<!--`). */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

function rows(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
}

/** The charts, drawn in the browser from the embedded report with uPlot. */
const CHARTS_SCRIPT = `
const report = JSON.parse(document.getElementById('report-data').textContent);
const ts = report.timeSeries;
const t = ts.map((s) => s.t);
const width = () => Math.min(1100, document.body.clientWidth - 40);
const charts = [];
function chart(id, title, series, data, extra) {
  const el = document.getElementById(id);
  const opts = Object.assign({
    title, width: width(), height: 260, series: [{ label: 's' }].concat(series),
    scales: { x: { time: false } },
    axes: [{ label: 'seconds since the turns began' }, {}],
  }, extra || {});
  charts.push(new uPlot(opts, data, el));
}
chart('throughput', 'Turns per second', [
  { label: 'started', stroke: '#1f77b4', width: 2 },
  { label: 'completed', stroke: '#2ca02c', width: 2 },
  { label: 'events / 100', stroke: '#aaaaaa', width: 1 },
], [t, ts.map((s) => s.started), ts.map((s) => s.completed), ts.map((s) => s.events / 100)]);
chart('latency', 'Turn latency per second (ms, ' + (report.latencyFrom === 'scheduled' ? 'from the scheduled start' : 'from the turn start') + ')', [
  { label: 'p50', stroke: '#1f77b4', width: 2 },
  { label: 'p99', stroke: '#d62728', width: 2 },
], [t, ts.map((s) => s.p50), ts.map((s) => s.p99)]);
const kinds = Object.keys(report.kinds);
const k = kinds.map((_, i) => i);
const pct = (name) => kinds.map((kind) => Math.max(0.001, report.kinds[kind].latencyMs[name]));
const dots = (label, stroke) => ({ label, stroke, width: 0, paths: () => null, points: { show: true, size: 9, fill: stroke } });
chart('kinds', 'Latency by turn kind (ms, log scale)', [
  dots('p50', '#1f77b4'), dots('p90', '#ff7f0e'), dots('p99', '#d62728'), dots('max', '#7f7f7f'),
], [k, pct('p50'), pct('p90'), pct('p99'), pct('max')], {
  scales: { x: { time: false, range: [-0.5, Math.max(0.5, kinds.length - 0.5)] }, y: { distr: 3 } },
  axes: [{ values: (u, splits) => splits.map((v) => (Number.isInteger(v) && kinds[v] !== undefined ? kinds[v] : '')), splits: () => k }, {}],
});
chart('errors', 'Errors per second', [{ label: 'errors', stroke: '#d62728', width: 2, fill: 'rgba(214,39,40,0.15)' }],
  [t, ts.map((s) => s.errors)]);
window.addEventListener('resize', () => charts.forEach((c) => c.setSize({ width: width(), height: 260 })));
document.body.dataset.chartsRendered = String(charts.length);
`;

/**
 * One self-contained HTML file for a person to open in a browser, no network needed: the run's summary and
 * configuration as tables, and four uPlot charts (throughput over time, latency percentiles over time, the
 * latency distribution per turn kind, errors over time). uPlot's code and the report's data are inlined.
 */
export async function renderHtmlReport(report: LoadReport): Promise<string> {
  const { js, css } = await uplotAssets();
  const l = report.turnLatencyMs;
  const summary: [string, string][] = [
    ['target', report.target],
    ['load', report.mode === 'open' ? `open loop, ${report.config.rate} turns/s` : 'closed loop'],
    ['mix', formatMix(report.config.mix)],
    ['sessions', String(report.sessions)],
    ['turns', `${report.turns} of ${report.turnsPlanned ?? 'unbounded'}`],
    ['events', String(report.events)],
    ['errors', String(report.errors)],
    ['duration', formatMs(report.durationMs)],
    ['turns/s', String(report.turnsPerSecond)],
    ['events/s', String(report.eventsPerSecond)],
    ['turn latency p50 / p99 / max', `${formatMs(l.p50)} / ${formatMs(l.p99)} / ${formatMs(l.max)}`],
    ['peak RSS', formatBytes(report.peakRssBytes)],
    ['heap per session', formatBytes(report.heapBytesPerSession)],
  ];
  const kindRows = Object.entries(report.kinds)
    .map(([kind, s]) =>
      s === undefined
        ? ''
        : `<tr><th>${escapeHtml(kind)}</th><td>${s.turns}</td><td>${s.errors}</td>` +
          ['p50', 'p90', 'p99', 'max'].map((p) => `<td>${formatMs(s.latencyMs[p as 'p50'])}</td>`).join('') +
          '</tr>',
    )
    .join('');
  const config = Object.entries(report.config).map(
    ([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)] as [string, string],
  );
  const errors =
    report.errorSamples.length === 0
      ? '<p>No errors.</p>'
      : `<ul>${report.errorSamples.map((e) => `<li><code>${escapeHtml(e)}</code></li>`).join('')}</ul>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>shoal-loadtest report — ${escapeHtml(report.startedAt)}</title>
<style>${css}</style>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 20px; color: #222; }
table { border-collapse: collapse; margin: 8px 0 20px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
th { background: #f5f5f5; font-weight: 600; }
.chart { margin: 10px 0 24px; }
.bad { color: #b00; }
</style>
</head>
<body>
<h1>shoal-loadtest report</h1>
<p>Started ${escapeHtml(report.startedAt)} on ${escapeHtml(report.platform)}, node ${escapeHtml(report.node)}, ${report.cpus} CPUs.
${report.errors > 0 ? `<strong class="bad">${report.errors} errors.</strong>` : '<strong>No errors.</strong>'}</p>
<h2>Summary</h2>
<table>${rows(summary)}</table>
<h2>Throughput</h2><div id="throughput" class="chart"></div>
<h2>Latency over time</h2><div id="latency" class="chart"></div>
<h2>Latency by turn kind</h2><div id="kinds" class="chart"></div>
<table><tr><th>kind</th><th>turns</th><th>errors</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr>${kindRows}</table>
<h2>Errors</h2><div id="errors" class="chart"></div>
${errors}
<h2>Configuration</h2>
<table>${rows(config)}</table>
<script id="report-data" type="application/json">${scriptJson(report)}</script>
<script>${js}</script>
<script>${CHARTS_SCRIPT}</script>
</body>
</html>
`;
}
