import { parseArgs } from 'node:util';
import { RuntimeOptionsSchema } from '@shoal/supervisor';
import { z } from 'zod';
import type { LogLevel } from './app.js';
import { HostConfigError } from './config-error.js';
import { DEFAULT_TENANT_LIMITS } from './tenant-limits.js';

/** Everything `shoal-host` can be told, from flags or the environment (flags win). */
export interface CliConfig {
  help: boolean;
  host: string;
  port: number;
  dataDir: string;
  keysFile: string | undefined;
  /** `SHOAL_API_KEYS` (only from the environment: a key on the command line would show in `ps`) */
  apiKeys: string | undefined;
  shards: number | undefined;
  durability: 'fsync' | 'buffered';
  logLevel: LogLevel;
  metricsKey: string | undefined;
  maxSessions: number;
  rateLimit: number;
  maxStreams: number;
  heartbeatMs: number;
  shutdownTimeoutMs: number;
  /** streaming rate of the simulated model (demos and the console's browser test); absent = all at once */
  simTokensPerSecond: number | undefined;
  store: 'level' | 'memory' | 'postgres';
  /** `--postgres-url`: the PostgreSQL connection string (`store: 'postgres'` only) */
  postgresUrl: string | undefined;
  /** cluster mode (`--node-id` given): this process is one node of several sharing `postgresUrl` */
  cluster: CliClusterConfig | undefined;
}

/** api.md `RuntimeOptions.cluster`, as `shoal-host` was told it. */
export interface CliClusterConfig {
  nodeId: string;
  advertiseUrl: string;
  logicalShards: number | undefined;
  leaseTtlMs: number | undefined;
}

const positiveInt = z
  .string()
  .regex(/^\d+$/, 'expected a whole number')
  .transform(Number)
  .pipe(z.number().int().min(1));
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The runtime's own schemas for the cluster fields, so a flag is refused exactly when the runtime would refuse it. */
const CLUSTER_FIELDS = (() => {
  const shape = RuntimeOptionsSchema.shape.cluster.unwrap().shape;
  return {
    nodeId: shape.nodeId,
    advertiseUrl: shape.advertiseUrl,
    logicalShards: shape.logicalShards.unwrap(),
    leaseTtlMs: shape.leaseTtlMs.unwrap(),
  };
})();

/**
 * The flags, each with its environment variable, default and schema (README "CLI"). Adding a flag is one
 * entry here plus its field in `CliConfig`.
 */
const FLAGS = {
  host: { env: 'SHOAL_HOST', default: '127.0.0.1', schema: z.string().min(1) },
  port: {
    env: 'SHOAL_PORT',
    default: '8787',
    schema: z
      .string()
      .regex(/^\d+$/, 'expected a port number')
      .transform(Number)
      .pipe(z.number().int().max(65535)),
  },
  'data-dir': { env: 'SHOAL_DATA_DIR', default: './.shoal', schema: z.string().min(1) },
  keys: { env: 'SHOAL_KEYS_FILE', default: undefined, schema: z.string().min(1) },
  shards: {
    env: 'SHOAL_SHARDS',
    default: undefined,
    schema: z
      .string()
      .regex(/^\d+$/, 'expected a whole number')
      .transform(Number)
      .pipe(z.number().int().max(256)),
  },
  durability: { env: 'SHOAL_DURABILITY', default: 'fsync', schema: z.enum(['fsync', 'buffered']) },
  'log-level': { env: 'SHOAL_LOG_LEVEL', default: 'info', schema: z.enum(LOG_LEVELS) },
  'metrics-key': { env: 'SHOAL_METRICS_KEY', default: undefined, schema: z.string().min(1) },
  'max-sessions': {
    env: 'SHOAL_MAX_SESSIONS',
    default: String(DEFAULT_TENANT_LIMITS.maxSessions),
    schema: positiveInt,
  },
  'rate-limit': {
    env: 'SHOAL_RATE_LIMIT',
    default: String(DEFAULT_TENANT_LIMITS.requestsPerSecond),
    schema: positiveInt,
  },
  'max-streams': {
    env: 'SHOAL_MAX_STREAMS',
    default: String(DEFAULT_TENANT_LIMITS.maxStreams),
    schema: positiveInt,
  },
  'heartbeat-ms': { env: 'SHOAL_HEARTBEAT_MS', default: '15000', schema: positiveInt },
  'shutdown-timeout-ms': { env: 'SHOAL_SHUTDOWN_TIMEOUT_MS', default: '10000', schema: positiveInt },
  'sim-tokens-per-second': { env: 'SHOAL_SIM_TOKENS_PER_SECOND', default: undefined, schema: positiveInt },
  store: { env: 'SHOAL_STORE', default: 'level', schema: z.enum(['level', 'memory', 'postgres']) },
  'postgres-url': {
    env: 'SHOAL_POSTGRES_URL',
    default: undefined,
    schema: z
      .string()
      .regex(/^postgres(ql)?:\/\/\S+$/, 'expected a postgres:// or postgresql:// connection URL'),
  },
  'node-id': { env: 'SHOAL_NODE_ID', default: undefined, schema: CLUSTER_FIELDS.nodeId },
  'advertise-url': { env: 'SHOAL_ADVERTISE_URL', default: undefined, schema: CLUSTER_FIELDS.advertiseUrl },
  'logical-shards': {
    env: 'SHOAL_LOGICAL_SHARDS',
    default: undefined,
    schema: positiveInt.pipe(CLUSTER_FIELDS.logicalShards),
  },
  'lease-ttl-ms': {
    env: 'SHOAL_LEASE_TTL_MS',
    default: undefined,
    schema: positiveInt.pipe(CLUSTER_FIELDS.leaseTtlMs),
  },
} as const;

/** The cluster flags that mean nothing without `--node-id`. */
const CLUSTER_ONLY_FLAGS = ['advertise-url', 'logical-shards', 'lease-ttl-ms'] as const;

type FlagName = keyof typeof FLAGS;

export const HELP = `Usage: shoal-host [options]

Serves Shoal sessions over HTTP and server-sent events (see apps/host/README.md).

Options (each also read from the environment variable shown; a flag wins):
  --host HOST               address to listen on (SHOAL_HOST, default 127.0.0.1)
  --port PORT               port, 0 picks a free one (SHOAL_PORT, default 8787)
  --data-dir DIR            event store and workspaces (SHOAL_DATA_DIR, default ./.shoal)
  --keys FILE               JSON {"tenant": ["key" | "sha256:<hex>", ...]} (SHOAL_KEYS_FILE)
  --shards N                worker threads, 0 = on the main thread (SHOAL_SHARDS, default: one per core)
  --durability MODE         fsync | buffered (SHOAL_DURABILITY, default fsync)
  --log-level LEVEL         fatal|error|warn|info|debug|trace|silent (SHOAL_LOG_LEVEL, default info)
  --metrics-key KEY         require "Authorization: Bearer KEY" on /metrics (SHOAL_METRICS_KEY)
  --max-sessions N          stored sessions per tenant (SHOAL_MAX_SESSIONS, default ${DEFAULT_TENANT_LIMITS.maxSessions})
  --rate-limit N            requests per second per tenant (SHOAL_RATE_LIMIT, default ${DEFAULT_TENANT_LIMITS.requestsPerSecond})
  --max-streams N           open event/delta streams per tenant (SHOAL_MAX_STREAMS, default ${DEFAULT_TENANT_LIMITS.maxStreams})
  --heartbeat-ms MS         heartbeat comment interval on streams (SHOAL_HEARTBEAT_MS, default 15000)
  --shutdown-timeout-ms MS  how long shutdown waits for in-flight requests (SHOAL_SHUTDOWN_TIMEOUT_MS, default 10000)
  --sim-tokens-per-second N stream the simulated model's replies at N tokens a second (SHOAL_SIM_TOKENS_PER_SECOND,
                            default: all at once)
  --store KIND              level | memory | postgres (SHOAL_STORE, default level)
  --postgres-url URL        PostgreSQL connection URL for --store postgres (SHOAL_POSTGRES_URL; prefer the
                            variable when the URL holds a password: argv shows in ps)

Cluster mode (several shoal-host processes sharing one PostgreSQL; docs/cluster.md):
  --node-id ID              this node's unique id; turns cluster mode on (SHOAL_NODE_ID)
  --advertise-url URL       http://HOST:PORT where the other nodes reach this one; the node listens there for
                            them (port 0 picks a free one) (SHOAL_ADVERTISE_URL)
  --logical-shards N        logical shards, the same on every node for the life of the database
                            (SHOAL_LOGICAL_SHARDS, default 1024)
  --lease-ttl-ms MS         shard lease time-to-live (SHOAL_LEASE_TTL_MS, default 10000)
  Peers authenticate with SHOAL_CLUSTER_SECRET (required unless --advertise-url is a loopback address).

  --help                    show this help

API keys: SHOAL_API_KEYS="tenant:key,tenant2:key2" and/or --keys FILE.
`;

/** Parses flags over environment variables; a bad flag or value throws `HostConfigError` naming it. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(Object.keys(FLAGS).map((name) => [name, { type: 'string' as const }]));
    values = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw argError(err);
  }
  const read = <N extends FlagName>(name: N): z.output<(typeof FLAGS)[N]['schema']> | undefined => {
    const flag = FLAGS[name];
    const fromFlag = values[name];
    const raw = typeof fromFlag === 'string' ? fromFlag : (env[flag.env] ?? flag.default);
    if (raw === undefined) return undefined;
    const r = flag.schema.safeParse(raw);
    if (!r.success) {
      const setting = typeof fromFlag === 'string' ? `--${name}` : flag.env;
      throw new HostConfigError(setting, `invalid value ${JSON.stringify(raw)}: ${describe(r.error)}`);
    }
    return r.data as z.output<(typeof FLAGS)[N]['schema']>;
  };
  const required = <N extends FlagName>(name: N) => {
    const v = read(name);
    if (v === undefined) throw new HostConfigError(`--${name}`, 'missing');
    return v;
  };
  return {
    help: values.help === true,
    host: required('host'),
    port: required('port'),
    dataDir: required('data-dir'),
    keysFile: read('keys'),
    apiKeys: env.SHOAL_API_KEYS,
    shards: read('shards'),
    durability: required('durability'),
    logLevel: required('log-level'),
    metricsKey: read('metrics-key'),
    maxSessions: required('max-sessions'),
    rateLimit: required('rate-limit'),
    maxStreams: required('max-streams'),
    heartbeatMs: required('heartbeat-ms'),
    shutdownTimeoutMs: required('shutdown-timeout-ms'),
    simTokensPerSecond: read('sim-tokens-per-second'),
    ...storeAndCluster(read, (name) =>
      typeof values[name] === 'string' || env[FLAGS[name].env] === undefined ? `--${name}` : FLAGS[name].env,
    ),
  };
}

type Reader = <N extends FlagName>(name: N) => z.output<(typeof FLAGS)[N]['schema']> | undefined;

/**
 * The store and cluster settings, checked together: PostgreSQL needs its URL, cluster mode (`--node-id`)
 * needs PostgreSQL and an advertise URL, and a cluster-only or PostgreSQL-only setting given without them
 * is refused rather than silently ignored.
 */
function storeAndCluster(
  read: Reader,
  /** the flag or variable a value came from, for the error message */
  setting: (name: FlagName) => string,
): Pick<CliConfig, 'store' | 'postgresUrl' | 'cluster'> {
  const store = read('store') ?? 'level';
  const postgresUrl = read('postgres-url');
  if (store === 'postgres' && postgresUrl === undefined)
    throw new HostConfigError('--postgres-url', 'missing: --store postgres needs it');
  if (store !== 'postgres' && postgresUrl !== undefined)
    throw new HostConfigError(setting('postgres-url'), 'only used with --store postgres');
  const nodeId = read('node-id');
  if (nodeId === undefined) {
    for (const name of CLUSTER_ONLY_FLAGS) {
      if (read(name) !== undefined)
        throw new HostConfigError(setting(name), 'only used in cluster mode (with --node-id)');
    }
    return { store, postgresUrl, cluster: undefined };
  }
  if (store !== 'postgres')
    throw new HostConfigError(setting('store'), 'cluster mode (--node-id) needs --store postgres');
  const advertiseUrl = read('advertise-url');
  if (advertiseUrl === undefined)
    throw new HostConfigError('--advertise-url', 'missing: cluster mode (--node-id) needs it');
  return {
    store,
    postgresUrl,
    cluster: {
      nodeId,
      advertiseUrl,
      logicalShards: read('logical-shards'),
      leaseTtlMs: read('lease-ttl-ms'),
    },
  };
}

function describe(err: z.ZodError): string {
  return err.issues[0]?.message ?? 'invalid';
}

/** node:util parseArgs errors name the flag in their message; keep that flag as the setting. */
function argError(err: unknown): HostConfigError {
  const message = err instanceof Error ? err.message : String(err);
  const flag = /'([^' ]+)[^']*'/.exec(message)?.[1] ?? 'arguments';
  return new HostConfigError(flag, message);
}
