import { spawn } from 'node:child_process';
import { HeadTailBuffer, STDERR_LIMITS, STDOUT_LIMITS } from '../head-tail-buffer.js';

/** After the shell exits, how long stray holders of its pipes (e.g. a `setsid` daemon) may keep them open. */
const PIPE_DRAIN_MS = 1_000;

/** The signals the bash tool sends a group: SIGTERM at the timeout or on cancel, SIGKILL after the grace. */
export type GroupSignal = 'SIGTERM' | 'SIGKILL';

/** What to run: `/bin/bash -c command` in `cwd` with exactly `env`. */
export interface GroupProcessSpec {
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** How a run ended: its output captured head+tail (§1.6 limits), how the shell ended. */
export interface GroupProcessResult {
  stdout: string;
  stderr: string;
  /** the shell's exit code, null if a signal ended it (or it never reported) */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** why signalling the process group failed (other than "already gone"), if it ever did */
  killError?: string;
}

/** A command running in its own process group. */
export interface GroupProcess {
  /** The group leader's pid: undefined if the shell could not start, or (spawn helper) until it reported it. */
  readonly pid: number | undefined;
  /** Resolves when the output is complete; rejects (with the spawn error) if the shell could not start. */
  readonly done: Promise<GroupProcessResult>;
  /** Signals the whole group; a group already gone is ignored. */
  kill(signal: GroupSignal): void;
}

/** Starts a `GroupProcess`: what `startGroupProcess` does here, or a spawn helper does in another process. */
export type GroupProcessLauncher = (spec: GroupProcessSpec) => GroupProcess;

const isErrno = (e: unknown, code: string): boolean => (e as NodeJS.ErrnoException | null)?.code === code;

/**
 * Runs `spec` right here with `child_process.spawn`, in its own process group (`detached`) so `-pid`
 * addresses everything the command starts. When the shell exits, what it left in its group is killed, and
 * output still held open by a process that left the group is waited on for at most `PIPE_DRAIN_MS`. Output
 * is kept head+tail with bounded memory. Used by the spawn helper process, and directly when no helper is
 * wanted: `spawn` forks the calling process, which blocks its thread for time that grows with its memory
 * (see spawn-helper.ts).
 */
export function startGroupProcess(spec: GroupProcessSpec): GroupProcess {
  const child = spawn('/bin/bash', ['-c', spec.command], {
    cwd: spec.cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: spec.env,
  });
  const stdout = new HeadTailBuffer(STDOUT_LIMITS);
  const stderr = new HeadTailBuffer(STDERR_LIMITS);
  child.stdout.on('data', (c: Buffer) => stdout.push(c));
  child.stderr.on('data', (c: Buffer) => stderr.push(c));
  let killError: string | undefined;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  const kill = (signal: GroupSignal): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch (e) {
      // ESRCH: the group is already gone. Anything else (EPERM) is reported with the result: throwing
      // from a timer would take the whole thread down.
      if (!isErrno(e, 'ESRCH')) killError = e instanceof Error ? e.message : String(e);
    }
  };

  const done = new Promise<GroupProcessResult>((resolve, reject) => {
    let drainTimer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(drainTimer);
      resolve({
        stdout: stdout.text(),
        stderr: stderr.text(),
        code: exit?.code ?? null,
        signal: exit?.signal ?? null,
        ...(killError === undefined ? {} : { killError }),
      });
    };
    child.on('error', (e) => {
      kill('SIGKILL');
      if (settled) return;
      settled = true;
      clearTimeout(drainTimer);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      kill('SIGKILL'); // leftovers of the group
      drainTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish();
      }, PIPE_DRAIN_MS);
    });
    child.on('close', finish);
  });
  return {
    get pid() {
      return child.pid;
    },
    done,
    kill,
  };
}
