import { constants } from 'node:os';
import type { ToolResult } from '@shoal/shared';
import { z } from 'zod';
import { allowlistedEnv } from './command-env.js';
import { type GroupProcess, type GroupProcessLauncher, startGroupProcess } from './spawn/group-process.js';
import type { Tool, ToolContext } from './tool.js';
import { ToolFailure } from './tool-failure.js';
import { resolveInWorkspace } from './workspace-path.js';

export const BASH_DEFAULT_TIMEOUT_MS = 120_000;
export const BASH_MAX_TIMEOUT_MS = 600_000;
/** Time between SIGTERM and SIGKILL of the process group. */
export const BASH_KILL_GRACE_MS = 2_000;

export interface BashToolOptions {
  defaultTimeoutMs?: number;
  killGraceMs?: number;
  /** The exact environment of commands; overrides `envAllowlist`. */
  env?: NodeJS.ProcessEnv;
  /**
   * Variables of this process's environment that commands see (names, or prefixes written `PREFIX*`);
   * default: `SHOAL_BASH_ENV_ALLOWLIST` if set, else DEFAULT_ENV_ALLOWLIST (see command-env.ts).
   */
  envAllowlist?: readonly string[];
  /**
   * Starts the command's process group: by default right here (`startGroupProcess`); a shard passes its
   * `SpawnHelper`'s `launch`, so the fork happens in a small helper process (see spawn/spawn-helper.ts).
   */
  launcher?: GroupProcessLauncher;
}

/** The environment of commands by default: only allowlisted variables of this process's (command-env.ts). */
export function defaultBashEnv(allowlist?: readonly string[]): NodeJS.ProcessEnv {
  return allowlistedEnv(process.env, allowlist);
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
  const launch = options.launcher ?? startGroupProcess;
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
        launch,
        params.command,
        params.timeout ?? defaultTimeoutMs,
        graceMs,
        cwd,
        options.env ?? defaultBashEnv(options.envAllowlist),
        ctx.signal,
      );
    },
  };
}

function runBash(
  launch: GroupProcessLauncher,
  command: string,
  timeoutMs: number,
  graceMs: number,
  cwd: string,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<ToolResult> {
  if (signal.aborted) return Promise.reject(new ToolFailure('CANCELLED', 'bash was cancelled'));
  let proc: GroupProcess;
  try {
    proc = launch({ command, cwd, env });
  } catch (e) {
    // spawn refuses some arguments synchronously (e.g. a NUL byte in the command)
    const message = e instanceof Error ? e.message : String(e);
    return Promise.reject(new ToolFailure('SPAWN_FAILED', `could not run bash: ${message}`, { cause: e }));
  }
  let timedOut = false;
  let cancelled = false;
  let graceTimer: NodeJS.Timeout | undefined;
  const terminate = (): void => {
    if (graceTimer) return;
    proc.kill('SIGTERM');
    graceTimer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
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
  const cleanUp = (): void => {
    clearTimeout(timeoutTimer);
    clearTimeout(graceTimer);
    signal.removeEventListener('abort', onAbort);
  };
  return proc.done.then(
    (r) => {
      cleanUp();
      if (cancelled) throw new ToolFailure('CANCELLED', 'bash was cancelled');
      const exitCode = r.code ?? (r.signal ? 128 + (constants.signals[r.signal] ?? 0) : -1);
      const note = r.killError === undefined ? '' : `\n[could not signal the process group: ${r.killError}]`;
      return { type: 'Bash', command, stdout: r.stdout, stderr: r.stderr + note, exitCode, timedOut };
    },
    (e: unknown) => {
      cleanUp();
      if (cancelled) throw new ToolFailure('CANCELLED', 'bash was cancelled');
      const message = e instanceof Error ? e.message : String(e);
      throw new ToolFailure('SPAWN_FAILED', `could not run bash: ${message}`, { cause: e });
    },
  );
}
