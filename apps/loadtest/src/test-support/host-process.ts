import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `apps/host/dist/cli.js` in this repository (`@shoal/host` is a devDependency, so turbo builds it before this
 * package's tests run).
 */
export function hostCliPath(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'host', 'dist', 'cli.js');
}

export interface RunningHost {
  url: string;
  stop(): Promise<number | null>;
}

/**
 * Starts `shoal-host --port 0` with the given keys and data dir and resolves once it printed its
 * `shoal-host listening on http://HOST:PORT` line (no fixed wait: the caller's timeout is the limit). Rejects
 * with the host's stderr if it exits first.
 */
export function startHost(opts: { dataDir: string; apiKeys: string; shards?: number }): Promise<RunningHost> {
  const args = [hostCliPath(), '--port', '0', '--data-dir', opts.dataDir, '--log-level', 'warn'];
  if (opts.shards !== undefined) args.push('--shards', String(opts.shards));
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, SHOAL_API_KEYS: opts.apiKeys },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise<RunningHost>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const match = /shoal-host listening on (http:\/\/\S+)/.exec(stdout);
      if (match === null) return;
      resolve({
        url: match[1]!,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => reject(new Error(`shoal-host exited (${code}) before listening:\n${stderr}`)));
  });
}
