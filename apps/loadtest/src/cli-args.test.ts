import { describe, expect, it } from 'vitest';
import { parseCliArgs } from './cli-args.js';
import { LoadTestError } from './errors.js';

function run(argv: string[]) {
  const command = parseCliArgs(argv);
  if (command.kind !== 'run') throw new Error(`expected a run command, got ${command.kind}`);
  return command.options;
}

function failure(argv: string[]): LoadTestError {
  try {
    parseCliArgs(argv);
  } catch (err) {
    if (err instanceof LoadTestError) return err;
    throw err;
  }
  throw new Error(`expected ${argv.join(' ')} to be rejected`);
}

describe('parseCliArgs', () => {
  it('fills in the documented defaults', () => {
    expect(run([])).toEqual({
      sessions: 1000,
      turns: 5,
      durability: 'fsync',
      store: 'level',
      keep: false,
      script: 'mixed',
      turnTimeoutMs: 30_000,
      quiet: false,
      logLevel: 'error',
    });
  });

  it('reads every flag', () => {
    expect(
      run([
        '--sessions',
        '20',
        '--turns=3',
        '--concurrency',
        '4',
        '--shards',
        '0',
        '--durability',
        'buffered',
        '--store',
        'memory',
        '--data-dir',
        '/tmp/x',
        '--keep',
        '--script',
        'tools',
        '--first-token-ms',
        '5',
        '--tokens-per-second',
        '2.5',
        '--turn-timeout-ms',
        '1000',
        '--json',
        'out.json',
        '--target',
        'http://127.0.0.1:8787',
        '--log-level',
        'silent',
        '--quiet',
      ]),
    ).toEqual({
      sessions: 20,
      turns: 3,
      concurrency: 4,
      shards: 0,
      durability: 'buffered',
      store: 'memory',
      dataDir: '/tmp/x',
      keep: true,
      script: 'tools',
      firstTokenMs: 5,
      tokensPerSecond: 2.5,
      turnTimeoutMs: 1000,
      json: 'out.json',
      target: 'http://127.0.0.1:8787',
      logLevel: 'silent',
      quiet: true,
    });
  });

  it('answers --help and -h', () => {
    expect(parseCliArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['-h', '--sessions', '3'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--sessions', 'abc'], "--sessions: expected a number, got 'abc'"],
    [['--sessions', '1e3'], "--sessions: expected a number, got '1e3'"],
    [['--turns', '-1'], '--turns'],
    [['--sessions', '0'], '--sessions: Too small'],
    [['--sessions', '2.5'], '--sessions: Invalid input: expected int'],
    [['--durability', 'sometimes'], '--durability: Invalid option'],
    [['--store', 'redis'], '--store: Invalid option'],
    [['--script', 'poetry'], '--script: Invalid option'],
    [['--target', 'not a url'], '--target: must be an http:// or https:// URL'],
    [['--target', 'ftp://host'], '--target: must be an http:// or https:// URL'],
    [['--frobnicate'], "Unknown option '--frobnicate'"],
    [['--sessions'], "Option '--sessions <value>' argument missing"],
    [['extra'], "Unexpected argument 'extra'"],
  ])('rejects %j with a clear message', (argv, message) => {
    const err = failure(argv);
    expect(err.code).toBe('INVALID_OPTIONS');
    expect(err.message).toContain(message);
  });

  it('reports every bad flag at once', () => {
    const err = failure(['--sessions', '0', '--turns', '0']);
    expect(err.message).toContain('--sessions');
    expect(err.message).toContain('--turns');
  });
});
