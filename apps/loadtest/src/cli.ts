#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCliArgs, USAGE } from './cli-args.js';
import { LoadTestError } from './errors.js';
import { renderHtmlReport } from './html-report.js';
import { formatMix } from './mix.js';
import { type LoadOptions, plannedTurns } from './options.js';
import { ProgressBar, ProgressLines } from './progress-bar.js';
import { relaunchWithExposedGc } from './relaunch.js';
import type { LoadReport } from './report.js';
import { runLoad } from './run-load.js';
import { renderSummary } from './summary-table.js';

function describeRun(o: LoadOptions): string {
  const planned = plannedTurns(o);
  const turns = planned === null ? `for ${o.duration} s` : `${planned} turns`;
  const load = o.rate !== undefined ? `open loop at ${o.rate} turns/s` : 'closed loop';
  const where =
    o.target ??
    `embedded (${o.store ?? 'level'}, ${o.durability ?? 'fsync'}, shards ${o.shards ?? 'default'})`;
  return `${o.sessions} sessions, ${turns}, ${load}, mix ${formatMix(o.mix)}, target ${where}`;
}

async function writeOut(file: string, text: string, what: string, quiet: boolean): Promise<boolean> {
  const path = resolve(file);
  try {
    await writeFile(path, text);
  } catch (err) {
    console.error(`shoal-loadtest: cannot write the ${what} to ${path}: ${(err as Error).message}`);
    return false;
  }
  if (!quiet) console.error(`shoal-loadtest: ${what} written to ${path}`);
  return true;
}

/** Exit codes: 0 = no errors, 1 = the run had errors (or failed), 2 = bad usage. */
async function main(argv: readonly string[]): Promise<number> {
  let command: ReturnType<typeof parseCliArgs>;
  try {
    command = parseCliArgs(argv);
  } catch (err) {
    if (err instanceof LoadTestError) {
      console.error(`shoal-loadtest: ${err.message}\nRun 'shoal-loadtest --help' for the options.`);
      return 2;
    }
    throw err;
  }
  if (command.kind === 'help') {
    console.log(USAGE);
    return 0;
  }
  const options = command.options;
  // Collecting before measuring only matters for an embedded runtime's heap.
  if (options.target === undefined) {
    const relaunched = await relaunchWithExposedGc(fileURLToPath(import.meta.url), argv);
    if (relaunched !== null) return relaunched;
  }

  const display = options.quiet ? undefined : process.stderr.isTTY ? new ProgressBar() : new ProgressLines();
  if (!options.quiet) console.error(`shoal-loadtest: ${describeRun(options)}…`);
  // First Ctrl-C: start no more turns, let the running ones end, report. Second: stop at once.
  let stopRequested = false;
  const onSigint = () => {
    if (stopRequested) process.exit(130);
    stopRequested = true;
    console.error('\nshoal-loadtest: stopping (no new turns); Ctrl-C again to quit at once');
  };
  process.on('SIGINT', onSigint);
  let report: LoadReport;
  try {
    report = await runLoad(options, {
      ...(display ? { onProgress: (p) => display.update(p) } : {}),
      stopRequested: () => stopRequested,
    });
  } catch (err) {
    display?.stop();
    if (err instanceof LoadTestError) {
      console.error(`shoal-loadtest: ${err.message}`);
      return err.code === 'INVALID_OPTIONS' ? 2 : 1;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
  }
  display?.stop();

  console.log(renderSummary(report));
  if (report.errorSamples.length > 0) {
    console.log(`first errors:\n${report.errorSamples.map((m) => `  - ${m}`).join('\n')}`);
  }
  if (report.dataDir !== null && !report.dataDirRemoved && options.dataDir === undefined) {
    console.log(`data kept in ${report.dataDir}`);
  }
  let written = true;
  if (options.json !== undefined) {
    written &&= await writeOut(
      options.json,
      `${JSON.stringify(report, null, 2)}\n`,
      'JSON report',
      options.quiet,
    );
  }
  if (options.html !== undefined) {
    written &&= await writeOut(options.html, await renderHtmlReport(report), 'HTML report', options.quiet);
  }
  return report.errors === 0 && written ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error('shoal-loadtest: unexpected failure:', err);
    process.exitCode = 1;
  },
);
