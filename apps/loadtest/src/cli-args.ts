import { parseArgs } from 'node:util';
import { LoadTestError } from './errors.js';
import { DEFAULT_MIX, formatMix, parseMix, TURN_KINDS } from './mix.js';
import { flagName, type LoadOptions, type LoadOptionsInput, resolveLoadOptions } from './options.js';

export const USAGE = `Usage: shoal-loadtest [options]

Drives many Shoal sessions through every kind of turn (mixed by weight) against an embedded runtime (a fresh
LevelDB in a temp dir, fsync, the simulated model) or a running shoal-host, checks every session's event log
while it runs and again at the end, and prints a summary.

Workload:
  --sessions N            sessions to create and drive                          (default 1000)
  --turns N               turns per session            (default 5; unbounded with --duration alone)
  --mix SPEC              kind=weight,... or a preset: default | echo | tools
                          kinds: ${TURN_KINDS.join(' ')}
                          (default ${formatMix(DEFAULT_MIX)})
  --seed N                seeds which turn gets which kind                     (default 1)
  --create WHEN           upfront | on-arrival: create sessions first, or at their first turn (default upfront)
  --busy-ms MS            how long the turn that queue/dequeue/cancel send into runs  (default 400)
  --stream-tokens N       extra tokens a stream turn asks for                  (default 64)

Load:
  --concurrency N         closed loop: turns in flight                          (default: one per session)
  --rate N                open loop: start N turns per second on a schedule; latency counts from the
                          scheduled start (no coordinated omission)
  --duration S            stop starting turns after S seconds
  --turn-timeout-ms MS    a turn not ended after this long is an error         (default 30000)

Target:
  --target URL            drive a running shoal-host over HTTP and SSE (needs --api-key)
  --api-key KEY           the host API key
  --shards N              embedded: runtime worker threads; 0 = in-process     (default: one per core)
  --durability MODE       embedded: fsync | buffered                           (default fsync)
  --store KIND            embedded: level | memory                             (default level)
  --data-dir DIR          embedded: LevelDB and workspaces (default: a fresh temp dir, removed at the end)
  --keep                  embedded: keep the temp data dir
  --first-token-ms MS     embedded simulated model: delay before the first token (default 0)
  --tokens-per-second N   embedded simulated model: streaming speed            (default: instant)
  --log-level LEVEL       embedded runtime log level: fatal|error|warn|info|debug|trace|silent (default error)

Output:
  --json FILE             write the machine-readable report to FILE
  --html FILE             write a self-contained HTML report with charts to FILE
  --no-verify             skip re-reading every session's log at the end (the live checks still run)
  --quiet                 no progress display and no status lines on stderr
  -h, --help              show this help

Exit code: 0 when the run had no errors, 1 when it had some (or failed), 2 for bad usage.`;

const NUMERIC = [
  'sessions',
  'turns',
  'concurrency',
  'rate',
  'duration',
  'seed',
  'busyMs',
  'streamTokens',
  'shards',
  'firstTokenMs',
  'tokensPerSecond',
  'turnTimeoutMs',
] as const;

const STRINGS = [
  'create',
  'durability',
  'store',
  'dataDir',
  'json',
  'html',
  'target',
  'apiKey',
  'logLevel',
] as const;

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
    mix: { type: 'string' },
    'no-verify': { type: 'boolean' },
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
  if (typeof values.mix === 'string') input.mix = parseMix(values.mix);
  if (values['no-verify'] === true) input.verify = false;
  return { kind: 'run', options: resolveLoadOptions(input as LoadOptionsInput) };
}

/** node:util's messages carry a code prefix and advice about `--` that does not apply here. */
function cleanParseError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '');
}
