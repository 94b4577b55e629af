import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The built CLI; the browser tests drive the real `shoal-host` process, not an in-process app. */
export const HOST_CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

const LISTENING = /^shoal-host listening on (http:\/\/\S+)$/;

export interface HostProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Sends `signal` and resolves with the exit code (or the signal) once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals>;
}

export interface HostProcessOptions {
  dataDir: string;
  port?: number;
  env?: Record<string, string>;
  args?: string[];
  /** How long to wait for the listening line; generous, for a loaded machine. */
  startTimeoutMs?: number;
}

/** Starts `shoal-host` and resolves once it printed its listening line (a signal, not a fixed wait). */
export function startHostProcess(options: HostProcessOptions): Promise<HostProcess> {
  if (!existsSync(HOST_CLI)) throw new Error(`${HOST_CLI} is missing: build the host first (npm run build)`);
  const args = [
    HOST_CLI,
    '--host',
    '127.0.0.1',
    '--port',
    String(options.port ?? 0),
    '--data-dir',
    options.dataDir,
    '--log-level',
    'warn',
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? code ?? 0));
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop('SIGKILL');
      reject(new Error(`shoal-host did not start within ${options.startTimeoutMs ?? 60_000} ms\n${stderr}`));
    }, options.startTimeoutMs ?? 60_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = LISTENING.exec(line);
      if (match === null) return;
      clearTimeout(timer);
      const url = match[1]!;
      resolve({ url, port: Number(new URL(url).port), child, stop });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`shoal-host exited (${code}) before listening\n${stderr}`));
    });
  });
}
