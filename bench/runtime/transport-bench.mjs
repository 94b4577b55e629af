// Transport benchmark: dispatch round trips between the main thread and worker threads over each
// candidate transport, to 1 and 2 workers, with K requests in flight.
//
//   node bench/runtime/transport-bench.mjs [--seconds 1] [--repeat 3] [--workers 1,2] [--inflight 1,100,1000]
//     [--modes raw,batched,comlink,piscina-pinned,piscina-default]
//
// The message is a `dispatch` of a UserInput action (~400 bytes as JSON: real UUIDs) echoed back as a
// `reply`. Closed loop: K clients, client c uses worker c % W and keeps one request in flight. Every cell
// runs all modes alternately `repeat` times (after a warm-up) and reports the median run by throughput,
// with that run's p50/p99 round-trip latency and the main thread's event-loop utilisation.
import {
  arg,
  fmt1,
  fmtInt,
  fmtMs,
  list,
  median,
  printLoadAtEnd,
  printMachine,
  table,
} from './lib/report.mjs';
import { dispatchMessage, drive, MODE_NOTES, MODES, openTransport } from './lib/transport.mjs';

const SECONDS = Number(arg('seconds', '1'));
const REPEAT = Number(arg('repeat', '3'));
const WORKERS = list('workers', '1,2').map(Number);
const INFLIGHT = list('inflight', '1,100,1000').map(Number);
const modes = list('modes', MODES.join(','));

printMachine('Transport: dispatch round trips main ⇄ worker');
console.log(
  `Message: ${JSON.stringify(dispatchMessage(1, 1)).length} bytes as JSON; ${SECONDS} s per run, median of ${REPEAT} alternating runs.\n`,
);
for (const m of modes) console.log(`- **${m}**: ${MODE_NOTES[m]}`);
console.log('');

const rows = [];
const results = {};
for (const workers of WORKERS) {
  const transports = {};
  for (const m of modes) transports[m] = await openTransport(m, workers);
  for (const inflight of INFLIGHT) {
    const runs = Object.fromEntries(modes.map((m) => [m, []]));
    for (const m of modes) await drive(transports[m], { workers, inflight, ms: 300 }); // warm-up
    for (let r = 0; r < REPEAT; r++) {
      for (const m of modes)
        runs[m].push(await drive(transports[m], { workers, inflight, ms: SECONDS * 1000 }));
    }
    for (const m of modes) {
      const med = median(runs[m].map((x) => x.rps));
      const run = runs[m].find((x) => x.rps === med) ?? runs[m][0];
      results[`${m}/${workers}/${inflight}`] = run;
      rows.push([
        m,
        workers,
        inflight,
        fmtInt(med),
        fmtInt(2 * med),
        fmtMs(run.p50),
        fmtMs(run.p99),
        fmt1(run.elu * 100, 0) + '%',
        runs[m].map((x) => fmtInt(x.rps)).join(' / '),
      ]);
    }
  }
  for (const m of modes) await transports[m].close();
}
console.log(
  table(
    [
      'transport',
      'workers',
      'in flight',
      'round trips/s',
      'messages/s',
      'p50 ms',
      'p99 ms',
      'main ELU',
      'all runs (round trips/s)',
    ],
    rows,
  ),
);

// Relative to batched postMessage, at the highest in-flight count.
const K = INFLIGHT[INFLIGHT.length - 1];
const rel = [];
for (const workers of WORKERS) {
  const base = results[`batched/${workers}/${K}`]?.rps;
  if (!base) continue;
  for (const m of modes) rel.push([m, workers, K, fmt1(results[`${m}/${workers}/${K}`].rps / base, 2) + 'x']);
}
if (rel.length)
  console.log(`\n${table(['transport', 'workers', 'in flight', 'throughput vs batched'], rel)}`);
printLoadAtEnd();
