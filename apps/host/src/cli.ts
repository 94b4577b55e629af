#!/usr/bin/env node
import type { Host } from './app.js';
import { KeyRing, loadKeysFile, parseKeysEnv } from './auth/keys.js';
import { type CliClusterConfig, HELP, parseCli } from './cli-options.js';
import { HostConfigError } from './config-error.js';

/** `shoal-host`: exit 0 after a graceful shutdown, 2 for a bad flag or setting, 1 when it cannot start. */
async function main(): Promise<number> {
  let config: ReturnType<typeof parseCli>;
  let keys: KeyRing;
  try {
    config = parseCli(process.argv.slice(2), process.env);
    if (config.help) {
      process.stdout.write(HELP);
      return 0;
    }
    keys = KeyRing.empty();
    if (config.apiKeys !== undefined) keys = keys.merge(parseKeysEnv(config.apiKeys));
    if (config.keysFile !== undefined) keys = keys.merge(await loadKeysFile(config.keysFile));
  } catch (err) {
    if (err instanceof HostConfigError) {
      process.stderr.write(`shoal-host: ${err.message}\n(see shoal-host --help)\n`);
      return 2;
    }
    throw err;
  }
  if (keys.size === 0) {
    process.stderr.write(
      'shoal-host: no API keys: every /v1 request will be refused (set SHOAL_API_KEYS or --keys)\n',
    );
  }

  let host: Host;
  try {
    // Loaded only now: --help and a bad flag answer without loading Fastify and the runtime.
    const { buildHost } = await import('./app.js');
    host = await buildHost({
      keys,
      dataDir: config.dataDir,
      logLevel: config.logLevel,
      runtimeOptions: {
        durability: config.durability,
        store: config.store,
        ...(config.postgresUrl === undefined ? {} : { postgres: { connectionString: config.postgresUrl } }),
        ...(config.cluster === undefined ? {} : { cluster: clusterOptions(config.cluster) }),
        ...(config.shards === undefined ? {} : { shards: config.shards }),
        ...(config.simTokensPerSecond === undefined
          ? {}
          : { providers: { simulated: { tokensPerSecond: config.simTokensPerSecond } } }),
      },
      limits: {
        maxSessions: config.maxSessions,
        requestsPerSecond: config.rateLimit,
        maxStreams: config.maxStreams,
      },
      heartbeatMs: config.heartbeatMs,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      ...(config.metricsKey === undefined ? {} : { metricsKey: config.metricsKey }),
    });
  } catch (err) {
    process.stderr.write(`shoal-host: cannot start: ${(err as Error).message}\n`);
    return 1;
  }

  const stopped = new Promise<number>((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) return;
      signalled = true;
      host.app.log.info({ signal }, 'shutting down');
      host.close().then(
        () => resolve(0),
        (err: unknown) => {
          host.app.log.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });

  try {
    const url = await host.listen({ host: config.host, port: config.port });
    process.stdout.write(`shoal-host listening on ${url}\n`);
  } catch (err) {
    process.stderr.write(
      `shoal-host: cannot listen on ${config.host}:${config.port}: ${(err as Error).message}\n`,
    );
    await host.close();
    return 1;
  }
  return stopped;
}

/** api.md `RuntimeOptions.cluster`; an unset count or TTL takes the runtime's default. */
function clusterOptions(c: CliClusterConfig) {
  return {
    nodeId: c.nodeId,
    advertiseUrl: c.advertiseUrl,
    ...(c.logicalShards === undefined ? {} : { logicalShards: c.logicalShards }),
    ...(c.leaseTtlMs === undefined ? {} : { leaseTtlMs: c.leaseTtlMs }),
  };
}

main().then(
  (code) => {
    process.exitCode = code;
    // Anything still holding the loop (a stuck socket) must not keep a stopped host alive.
    setTimeout(() => process.exit(code), 2_000).unref();
  },
  (err: unknown) => {
    process.stderr.write(`shoal-host: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
