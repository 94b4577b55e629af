import { parseArgs } from 'node:util';
import { LoadTestError } from './errors.js';
import { flagName, type LoadOptions, type LoadOptionsInput, resolveLoadOptions } from './options.js';

export const USAGE = `Usage: shoal-loadtest [options]

Drives many Shoal sessions through scripted multi-turn conversations against an embedded runtime
(LevelDB store, simulated model), approving tool calls as they are requested, and prints a summary.

Options:
  --sessions N            sessions to create and drive                         (default 1000)
  --turns N               user turns per session                               (default 5)
  --concurrency N         sessions driven at once                              (default: --sessions)
  --shards N              runtime worker threads; 0 = in-process               (default: one per core)
  --durability MODE       fsync | buffered                                     (default fsync)
  --store KIND            level | memory                                       (default level)
  --data-dir DIR          LevelDB and workspaces       (default: a fresh temp dir, removed at the end)
  --keep                  keep the temp data dir
  --script NAME           echo | tools | mixed                                 (default mixed)
  --first-token-ms MS     simulated model: delay before the first token        (default 0)
  --tokens-per-second N   simulated model: streaming speed                     (default: instant)
  --turn-timeout-ms MS    a turn not ended after this long is an error         (default 30000)
  --json FILE             also write the machine-readable report to FILE
  --target URL            drive a running host over HTTP (not available yet: exits with code 2)
  --log-level LEVEL       runtime log level: fatal|error|warn|info|debug|trace|silent (default error)
  --quiet                 no progress bar and no status lines on stderr
  -h, --help              show this help

Exit code: 0 when the run had no errors, 1 when it had some (or failed), 2 for bad usage or --target.`;

const NUMERIC = [
  'sessions',
  'turns',
  'concurrency',
  'shards',
  'firstTokenMs',
  'tokensPerSecond',
  'turnTimeoutMs',
] as const;

const STRINGS = ['durability', 'store', 'dataDir', 'script', 'json', 'target', 'logLevel'] as const;

const BOOLEANS = ['keep', 'quiet'] as const;

export type CliCommand = { kind: 'help' } | { kind: 'run'; options: LoadOptions };

/** A plain decimal number: `12`, `0.5`; not `1e3`, `0x10`, ``, `12abc`. */
const NUMBER_TEXT = /^\d+(\.\d+)?$/;

/**
 * Parses the command line (without `node` and the script path). Unknown flags, missing values, stray
 * positionals and values out of range throw `LoadTestError` `INVALID_OPTIONS` with a message naming the flag.
 */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const key of [...NUMERIC, ...STRINGS]) options[flagName(key).slice(2)] = { type: 'string' };
  for (const key of BOOLEANS) options[flagName(key).slice(2)] = { type: 'boolean' };

  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new LoadTestError('INVALID_OPTIONS', cleanParseError(err), { cause: err });
  }
  if (values.help === true) return { kind: 'help' };

  const input: Record<string, unknown> = {};
  for (const key of NUMERIC) {
    const raw = values[flagName(key).slice(2)];
    if (raw === undefined) continue;
    const text = String(raw).trim();
    if (!NUMBER_TEXT.test(text)) {
      throw new LoadTestError('INVALID_OPTIONS', `${flagName(key)}: expected a number, got '${String(raw)}'`);
    }
    input[key] = Number(text);
  }
  for (const key of STRINGS) {
    const raw = values[flagName(key).slice(2)];
    if (raw !== undefined) input[key] = raw;
  }
  for (const key of BOOLEANS) {
    if (values[flagName(key).slice(2)] === true) input[key] = true;
  }
  return { kind: 'run', options: resolveLoadOptions(input as LoadOptionsInput) };
}

/** node:util's messages carry a code prefix and advice about `--` that does not apply here. */
function cleanParseError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '');
}
