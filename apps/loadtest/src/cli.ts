#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCliArgs, USAGE } from './cli-args.js';
import { LoadTestError } from './errors.js';
import { ProgressBar } from './progress-bar.js';
import { relaunchWithHeapProbe } from './relaunch.js';
import { type LoadReport, renderSummary } from './report.js';
import { runLoad } from './run-load.js';

/** Exit codes: 0 = no errors, 1 = the run had errors (or failed), 2 = bad usage or an unavailable target. */
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
  if (options.target !== undefined) {
    console.error(
      `shoal-loadtest: the HTTP host target is not available yet (--target ${options.target}); ` +
        'run without --target to load an embedded runtime.',
    );
    return 2;
  }
  const relaunched = await relaunchWithHeapProbe(fileURLToPath(import.meta.url), argv);
  if (relaunched !== null) return relaunched;

  const bar = !options.quiet && process.stderr.isTTY ? new ProgressBar() : undefined;
  if (!options.quiet) {
    console.error(
      `shoal-loadtest: ${options.sessions} sessions × ${options.turns} turns (script ${options.script}, ` +
        `${options.store} store, ${options.durability}, shards ${options.shards ?? 'default'})…`,
    );
  }
  let report: LoadReport;
  try {
    report = await runLoad(options, bar ? (p) => bar.update(p) : undefined);
  } catch (err) {
    bar?.stop();
    if (err instanceof LoadTestError) {
      console.error(`shoal-loadtest: ${err.message}`);
      return err.code === 'INVALID_OPTIONS' || err.code === 'TARGET_UNAVAILABLE' ? 2 : 1;
    }
    throw err;
  }
  bar?.stop();

  console.log(renderSummary(report));
  if (report.errorSamples.length > 0) {
    console.log(`first errors:\n${report.errorSamples.map((m) => `  - ${m}`).join('\n')}`);
  }
  if (!report.dataDirRemoved && options.dataDir === undefined) console.log(`data kept in ${report.dataDir}`);
  if (options.json !== undefined) {
    const file = resolve(options.json);
    try {
      await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    } catch (err) {
      console.error(`shoal-loadtest: cannot write the report to ${file}: ${(err as Error).message}`);
      return 1;
    }
    if (!options.quiet) console.error(`shoal-loadtest: report written to ${file}`);
  }
  return report.errors === 0 ? 0 : 1;
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
