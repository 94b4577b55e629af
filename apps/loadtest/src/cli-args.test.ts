import { describe, expect, it } from 'vitest';
import { parseCliArgs } from './cli-args.js';
import { LoadTestError } from './errors.js';
import { DEFAULT_MIX } from './mix.js';

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
      create: 'upfront',
      mix: DEFAULT_MIX,
      seed: 1,
      busyMs: 400,
      streamTokens: 64,
      keep: false,
      turnTimeoutMs: 30_000,
      verify: true,
      quiet: false,
    });
  });

  it('reads every embedded-target flag', () => {
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
        '--mix',
        'echo=5,bash=2,read=2,queue=1',
        '--seed',
        '9',
        '--create',
        'on-arrival',
        '--busy-ms',
        '250',
        '--stream-tokens',
        '10',
        '--first-token-ms',
        '5',
        '--tokens-per-second',
        '2.5',
        '--turn-timeout-ms',
        '1000',
        '--duration',
        '1.5',
        '--json',
        'out.json',
        '--html',
        'out.html',
        '--no-verify',
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
      mix: { echo: 5, bash: 2, read: 2, queue: 1 },
      seed: 9,
      create: 'on-arrival',
      busyMs: 250,
      streamTokens: 10,
      firstTokenMs: 5,
      tokensPerSecond: 2.5,
      turnTimeoutMs: 1000,
      duration: 1.5,
      json: 'out.json',
      html: 'out.html',
      verify: false,
      logLevel: 'silent',
      quiet: true,
    });
  });

  it('reads the host-target and open-loop flags', () => {
    expect(
      run(['--target', 'http://127.0.0.1:8787', '--api-key', 'k1', '--rate', '50', '--duration', '10']),
    ).toMatchObject({
      target: 'http://127.0.0.1:8787',
      apiKey: 'k1',
      rate: 50,
      duration: 10,
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
    [['--rate', 'fast'], "--rate: expected a number, got 'fast'"],
    [['--rate', '0'], '--rate: Too small'],
    [['--duration', 'x'], "--duration: expected a number, got 'x'"],
    [['--durability', 'sometimes'], '--durability: Invalid option'],
    [['--store', 'redis'], '--store: Invalid option'],
    [['--create', 'later'], '--create: Invalid option'],
    [['--mix', 'poetry=1'], "--mix: unknown turn kind 'poetry'"],
    [['--mix', 'echo'], ''], // a preset: accepted (checked below)
    [['--target', 'not a url', '--api-key', 'k'], '--target: must be an http:// or https:// URL'],
    [['--target', 'ftp://host', '--api-key', 'k'], '--target: must be an http:// or https:// URL'],
    [['--target', 'http://127.0.0.1:1'], '--api-key: required with --target'],
    [
      ['--target', 'http://127.0.0.1:1', '--api-key', 'k', '--shards', '2'],
      '--shards: configures the embedded runtime',
    ],
    [['--rate', '5', '--concurrency', '2'], '--concurrency: closed loop only'],
    [['--frobnicate'], "Unknown option '--frobnicate'"],
    [['--sessions'], "Option '--sessions <value>' argument missing"],
    [['extra'], "Unexpected argument 'extra'"],
  ])('rejects %j with a message naming the flag', (argv, message) => {
    if (message === '') {
      expect(run(argv).mix).toEqual({ echo: 1 });
      return;
    }
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
