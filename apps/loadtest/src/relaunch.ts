import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** Set in the relaunched child (and honoured when set by hand): run in this process, do not relaunch. */
export const NO_RELAUNCH_ENV = 'SHOAL_LOADTEST_NO_RELAUNCH';

/**
 * Heap per session is only exact when every isolate can be garbage-collected before it is measured: node
 * must run with `--expose-gc` (worker threads inherit it; each shard collects its own heap when asked
 * through its inspection interface). When this process lacks it, rerun the same script with it, stdio
 * inherited, and resolve with the child's exit code. Resolves with null when no relaunch is needed or
 * possible.
 */
export function relaunchWithExposedGc(script: string, argv: readonly string[]): Promise<number | null> {
  const gcExposed = typeof (globalThis as { gc?: unknown }).gc === 'function';
  if (gcExposed || process.env[NO_RELAUNCH_ENV] === '1') return Promise.resolve(null);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, '--expose-gc', script, ...argv], {
      stdio: 'inherit',
      env: { ...process.env, [NO_RELAUNCH_ENV]: '1' },
    });
    // Ctrl-C reaches the child through the terminal's process group; forward what is sent to us alone.
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const done = (code: number | null) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code);
    };
    child.once('error', () => done(null)); // could not start: run in this process instead
    child.once('exit', (code, signal) => done(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1)));
  });
}
