import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { ToolResult } from '@shoal/shared';
import { z } from 'zod';
import { HeadTailBuffer, STDERR_LIMITS, STDOUT_LIMITS } from './head-tail-buffer.js';
import type { Tool, ToolContext } from './tool.js';
import { ToolFailure } from './tool-failure.js';
import { resolveInWorkspace } from './workspace-path.js';

export const BASH_DEFAULT_TIMEOUT_MS = 120_000;
export const BASH_MAX_TIMEOUT_MS = 600_000;
/** Time between SIGTERM and SIGKILL of the process group. */
export const BASH_KILL_GRACE_MS = 2_000;
/** After the shell exits, how long stray holders of its pipes (e.g. a `setsid` daemon) may keep them open. */
const PIPE_DRAIN_MS = 1_000;

export interface BashToolOptions {
  defaultTimeoutMs?: number;
  killGraceMs?: number;
  /** Environment of commands; default: this process's, minus variables that look like credentials. */
  env?: NodeJS.ProcessEnv;
}

/** Variables a model-driven command must not see by default: the runtime's own provider keys and the like. */
const SECRET_ENV = /(API_KEY|SECRET|TOKEN|PASSWORD|CREDENTIALS?)$/i;

export function defaultBashEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !SECRET_ENV.test(k)));
}

export const BashParams = z.object({
  command: z.string().min(1).describe('The command to run with /bin/bash -c in the workspace directory'),
  timeout: z
    .number()
    .int()
    .positive()
    .max(BASH_MAX_TIMEOUT_MS)
    .optional()
    .describe(`Timeout in milliseconds (default ${BASH_DEFAULT_TIMEOUT_MS}, max ${BASH_MAX_TIMEOUT_MS})`),
});
export type BashParams = z.infer<typeof BashParams>;

const isErrno = (e: unknown, code: string): boolean => (e as NodeJS.ErrnoException | null)?.code === code;

/**
 * `bash` (api.md "Built-in tools"): runs in the workspace as cwd, in its own process group so the whole group
 * is killed at the timeout or on cancel (SIGTERM, then SIGKILL after a grace period). Processes the command
 * leaves behind in its group are killed when the shell exits: a tool call's processes never outlive it.
 * Output is captured head+tail (§1.6 limits) with bounded memory. A timeout is a `Bash` result with
 * `timedOut: true` (the partial output stays visible); a signal death reports exit code 128 + signal number.
 */
export function bashTool(options: BashToolOptions = {}): Tool<BashParams> {
  const defaultTimeoutMs = options.defaultTimeoutMs ?? BASH_DEFAULT_TIMEOUT_MS;
  const graceMs = options.killGraceMs ?? BASH_KILL_GRACE_MS;
  return {
    name: 'bash',
    displayName: 'Bash',
    description:
      'Run a shell command (bash -c) in the session workspace. Output is truncated to its head and tail when ' +
      'long. The whole process group is killed at the timeout.',
    params: BashParams,
    async run(params: BashParams, ctx: ToolContext): Promise<ToolResult> {
      const cwd = await resolveInWorkspace(ctx.workspace, '.');
      return runBash(
        params.command,
        params.timeout ?? defaultTimeoutMs,
        graceMs,
        cwd,
        options.env,
        ctx.signal,
      );
    },
  };
}

function runBash(
  command: string,
  timeoutMs: number,
  graceMs: number,
  cwd: string,
  env: NodeJS.ProcessEnv | undefined,
  signal: AbortSignal,
): Promise<ToolResult> {
  if (signal.aborted) return Promise.reject(new ToolFailure('CANCELLED', 'bash was cancelled'));
  return new Promise<ToolResult>((resolve, reject) => {
    const child = spawn('/bin/bash', ['-c', command], {
      cwd,
      detached: true, // own process group: -pid addresses every process the command starts
      stdio: ['ignore', 'pipe', 'pipe'],
      env: env ?? defaultBashEnv(),
    });
    const stdout = new HeadTailBuffer(STDOUT_LIMITS);
    const stderr = new HeadTailBuffer(STDERR_LIMITS);
    child.stdout.on('data', (c: Buffer) => stdout.push(c));
    child.stderr.on('data', (c: Buffer) => stderr.push(c));

    let timedOut = false;
    let cancelled = false;
    let done = false;
    let exit: { code: number | null; sig: NodeJS.Signals | null } | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    let killError: string | undefined;

    const killGroup = (sig: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch (e) {
        // ESRCH: the group is already gone. Anything else (EPERM) is reported in the result's stderr:
        // rethrowing from a timer would take the whole worker thread down.
        if (!isErrno(e, 'ESRCH')) killError = e instanceof Error ? e.message : String(e);
      }
    };
    const terminate = (): void => {
      if (graceTimer) return;
      killGroup('SIGTERM');
      graceTimer = setTimeout(() => killGroup('SIGKILL'), graceMs);
    };
    const timeoutTimer = setTimeout(() => {
      timedOut = true;
      terminate();
    }, timeoutMs);
    const onAbort = (): void => {
      cancelled = true;
      terminate();
    };
    signal.addEventListener('abort', onAbort, { once: true });

    const finish = (error?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timeoutTimer);
      clearTimeout(graceTimer);
      clearTimeout(drainTimer);
      signal.removeEventListener('abort', onAbort);
      if (cancelled) {
        reject(new ToolFailure('CANCELLED', 'bash was cancelled'));
        return;
      }
      if (error) {
        reject(error);
        return;
      }
      const code = exit?.code ?? null;
      const sig = exit?.sig ?? null;
      const exitCode = code ?? (sig ? 128 + (constants.signals[sig] ?? 0) : -1);
      const note = killError === undefined ? '' : `\n[could not signal the process group: ${killError}]`;
      resolve({
        type: 'Bash',
        command,
        stdout: stdout.text(),
        stderr: stderr.text() + note,
        exitCode,
        timedOut,
      });
    };

    child.on('error', (e) => {
      killGroup('SIGKILL');
      finish(new ToolFailure('SPAWN_FAILED', `could not run bash: ${e.message}`, { cause: e }));
    });
    child.on('exit', (code, sig) => {
      exit = { code, sig };
      killGroup('SIGKILL'); // leftovers of the group
      // A process that left the group may still hold the pipes; do not wait on it for ever.
      drainTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish();
      }, PIPE_DRAIN_MS);
    });
    child.on('close', () => finish());
  });
}
