import { describe, expect, it } from 'vitest';
import { parseCli } from './cli-options.js';
import { HostConfigError } from './config-error.js';

describe('parseCli', () => {
  it('has the api.md defaults', () => {
    const c = parseCli([], {});
    expect(c).toMatchObject({
      help: false,
      host: '127.0.0.1',
      port: 8787,
      dataDir: './.shoal',
      keysFile: undefined,
      shards: undefined,
      durability: 'fsync',
      logLevel: 'info',
    });
  });

  it('reads every setting from flags, and flags win over the environment', () => {
    const env = { SHOAL_PORT: '9000', SHOAL_DURABILITY: 'buffered', SHOAL_API_KEYS: 'a:b' };
    const c = parseCli(
      ['--port', '0', '--host', '::1', '--data-dir', '/d', '--keys', '/k.json', '--shards', '0'],
      env,
    );
    expect(c).toMatchObject({ port: 0, host: '::1', dataDir: '/d', keysFile: '/k.json', shards: 0 });
    expect(c.durability).toBe('buffered');
    expect(c.apiKeys).toBe('a:b');
    const all = parseCli(
      [
        '--log-level=debug',
        '--metrics-key',
        'm',
        '--max-sessions',
        '5',
        '--rate-limit',
        '6',
        '--max-streams',
        '7',
        '--heartbeat-ms',
        '100',
        '--shutdown-timeout-ms',
        '200',
        '--help',
      ],
      {},
    );
    expect(all).toMatchObject({
      logLevel: 'debug',
      metricsKey: 'm',
      maxSessions: 5,
      rateLimit: 6,
      maxStreams: 7,
      heartbeatMs: 100,
      shutdownTimeoutMs: 200,
      help: true,
    });
  });

  it('reads the environment equivalents', () => {
    const c = parseCli([], {
      SHOAL_HOST: '0.0.0.0',
      SHOAL_PORT: '1234',
      SHOAL_DATA_DIR: '/x',
      SHOAL_KEYS_FILE: '/k',
      SHOAL_SHARDS: '3',
      SHOAL_LOG_LEVEL: 'warn',
      SHOAL_MAX_STREAMS: '9',
    });
    expect(c).toMatchObject({
      host: '0.0.0.0',
      port: 1234,
      dataDir: '/x',
      keysFile: '/k',
      shards: 3,
      logLevel: 'warn',
      maxStreams: 9,
    });
  });

  it('reads the simulated model’s streaming rate, absent by default', () => {
    expect(parseCli([], {}).simTokensPerSecond).toBeUndefined();
    expect(parseCli(['--sim-tokens-per-second', '40'], {}).simTokensPerSecond).toBe(40);
    expect(parseCli([], { SHOAL_SIM_TOKENS_PER_SECOND: '7' }).simTokensPerSecond).toBe(7);
  });

  it('reads the store and cluster settings from flags or the environment', () => {
    expect(parseCli([], {})).toMatchObject({ store: 'level', postgresUrl: undefined, cluster: undefined });
    expect(parseCli(['--store', 'memory'], {}).store).toBe('memory');
    const url = 'postgres://u:p@127.0.0.1:5432/shoal';
    expect(parseCli(['--store', 'postgres'], { SHOAL_POSTGRES_URL: url })).toMatchObject({
      store: 'postgres',
      postgresUrl: url,
      cluster: undefined,
    });
    const flags = parseCli(
      [
        '--store=postgres',
        `--postgres-url=${url}`,
        '--node-id=node-a',
        '--advertise-url=http://127.0.0.1:0',
        '--logical-shards=64',
        '--lease-ttl-ms=2000',
      ],
      {},
    );
    expect(flags.cluster).toEqual({
      nodeId: 'node-a',
      advertiseUrl: 'http://127.0.0.1:0',
      logicalShards: 64,
      leaseTtlMs: 2000,
    });
    const fromEnv = parseCli([], {
      SHOAL_STORE: 'postgres',
      SHOAL_POSTGRES_URL: url,
      SHOAL_NODE_ID: 'b',
      SHOAL_ADVERTISE_URL: 'http://10.0.0.2:7000',
    });
    expect(fromEnv.cluster).toEqual({
      nodeId: 'b',
      advertiseUrl: 'http://10.0.0.2:7000',
      logicalShards: undefined,
      leaseTtlMs: undefined,
    });
  });

  it('refuses store and cluster settings that do not go together, naming the one at fault', () => {
    const url = 'postgres://127.0.0.1/shoal';
    const pg = ['--store', 'postgres', '--postgres-url', url];
    const node = [...pg, '--node-id', 'a'];
    const cases: Array<[string[], Record<string, string>, string]> = [
      [['--store', 'sqlite'], {}, '--store'],
      [['--store', 'postgres'], {}, '--postgres-url'],
      [['--postgres-url', url], {}, '--postgres-url'],
      [[], { SHOAL_POSTGRES_URL: url }, 'SHOAL_POSTGRES_URL'],
      [['--store', 'postgres', '--postgres-url', 'mysql://x'], {}, '--postgres-url'],
      [['--node-id', 'a'], {}, '--store'],
      [['--node-id', 'a', '--store', 'level'], {}, '--store'],
      [['--node-id', 'a'], { SHOAL_STORE: 'memory' }, 'SHOAL_STORE'],
      [node, {}, '--advertise-url'],
      [[...node, '--advertise-url', 'https://127.0.0.1:1'], {}, '--advertise-url'],
      [[...node, '--advertise-url', 'http://127.0.0.1:1/path'], {}, '--advertise-url'],
      [[...node, '--advertise-url', 'not a url'], {}, '--advertise-url'],
      [[...pg, '--node-id', 'has space', '--advertise-url', 'http://127.0.0.1:0'], {}, '--node-id'],
      [[...node, '--advertise-url', 'http://127.0.0.1:0', '--logical-shards', '0'], {}, '--logical-shards'],
      [
        [...node, '--advertise-url', 'http://127.0.0.1:0', '--logical-shards', '70000'],
        {},
        '--logical-shards',
      ],
      [[...node, '--advertise-url', 'http://127.0.0.1:0', '--lease-ttl-ms', '10'], {}, '--lease-ttl-ms'],
      [[...node, '--advertise-url', 'http://127.0.0.1:0'], { SHOAL_LEASE_TTL_MS: 'x' }, 'SHOAL_LEASE_TTL_MS'],
      [['--advertise-url', 'http://127.0.0.1:0'], {}, '--advertise-url'],
      [[...pg, '--logical-shards', '64'], {}, '--logical-shards'],
      [[], { SHOAL_LEASE_TTL_MS: '2000' }, 'SHOAL_LEASE_TTL_MS'],
    ];
    for (const [argv, env, setting] of cases) expectRefused(argv, env, setting);
  });

  it('names the flag or variable at fault', () => {
    const cases: Array<[string[], Record<string, string>, string]> = [
      [['--nope'], {}, '--nope'],
      [['--port', 'x'], {}, '--port'],
      [['--port', '70000'], {}, '--port'],
      [['--port'], {}, '--port'],
      [['--durability', 'x'], {}, '--durability'],
      [['--log-level', 'loud'], {}, '--log-level'],
      [['--shards', '-1'], {}, '--shards'],
      [['--max-sessions', '0'], {}, '--max-sessions'],
      [['stray'], {}, 'stray'],
      [[], { SHOAL_PORT: 'x' }, 'SHOAL_PORT'],
      [[], { SHOAL_RATE_LIMIT: '1.5' }, 'SHOAL_RATE_LIMIT'],
      [['--sim-tokens-per-second', '0'], {}, '--sim-tokens-per-second'],
    ];
    for (const [argv, env, setting] of cases) expectRefused(argv, env, setting);
  });
});

function expectRefused(argv: string[], env: Record<string, string>, setting: string): void {
  let err: unknown;
  try {
    parseCli(argv, env);
  } catch (e) {
    err = e;
  }
  const what = `${argv.join(' ')} ${JSON.stringify(env)}`;
  expect(err, what).toBeInstanceOf(HostConfigError);
  expect((err as HostConfigError).setting, what).toBe(setting);
  expect((err as Error).message).toContain(setting);
}
