import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { allowlistedEnv } from '../command-env.js';
import type { GroupProcess, GroupProcessResult, GroupProcessSpec } from './group-process.js';
import { type SpawnReply, SpawnReply as SpawnReplySchema, type SpawnRequest } from './spawn-protocol.js';

/**
 * The helper's entry. Tests run this package's TypeScript sources, where no `.js` sits beside this file; the
 * helper process then runs the compiled one (turbo builds the package before its tests).
 */
function helperEntry(): string {
  const here = fileURLToPath(new URL('./spawn-helper-main.js', import.meta.url));
  return existsSync(here) ? here : here.replace(`${sep}src${sep}`, `${sep}dist${sep}`);
}

interface PendingRun {
  pid: number | undefined;
  resolve(r: GroupProcessResult): void;
  reject(e: Error): void;
}

/** Error of a run the helper could not carry out; `errno` as `spawn` reported it (ENOENT, EACCES, ...). */
export class SpawnHelperError extends Error {
  constructor(
    message: string,
    readonly errno?: string,
  ) {
    super(message);
    this.name = 'SpawnHelperError';
  }
}

/**
 * Runs `bash` commands in a small helper process instead of forking this one (one helper per shard, started
 * on first use). Why: `child_process.spawn` forks the calling process, and a fork copies the page tables of
 * every memory mapping: the calling thread blocks for a time that grows with the process's size
 * (`bench/tools/spawn-bench.mjs`), so a thousand sessions calling `bash` at once would stall their shard's
 * event loop, and every other session on it would wait. The helper does the forking on
 * its own thread, from a small process, and sends back the same head+tail-captured result.
 *
 * While no run is in flight the helper neither keeps this thread alive (`unref`) nor costs anything but
 * its idle memory. If it dies, its runs fail with `SpawnHelperError`, their process groups are killed from
 * here, and the next run starts a new one. (Only groups whose pid the helper had reported: one it spawned in
 * the microseconds before dying, and had not yet reported, is left to finish on its own.) `close` ends it:
 * the helper kills every group it still runs and exits.
 */
export class SpawnHelper {
  private child: ChildProcess | undefined;
  private readonly runs = new Map<number, PendingRun>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly logger?: Logger,
    private readonly entry: string = helperEntry(),
  ) {}

  /** The helper process's pid while one runs (tests, diagnostics). */
  get helperPid(): number | undefined {
    return this.child?.pid;
  }

  /** Runs in flight (tests, metrics). */
  get inFlight(): number {
    return this.runs.size;
  }

  /** A `GroupProcessLauncher` (bash tool option `launcher`). */
  readonly launch = (spec: GroupProcessSpec): GroupProcess => {
    const id = this.nextId++;
    let resolve!: PendingRun['resolve'];
    let reject!: PendingRun['reject'];
    const done = new Promise<GroupProcessResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const pending: PendingRun = { pid: undefined, resolve, reject };
    if (this.closed) {
      pending.reject(new SpawnHelperError('the spawn helper is closed'));
    } else {
      this.runs.set(id, pending);
      this.request({ t: 'run', id, command: spec.command, cwd: spec.cwd, env: stringEnv(spec.env) });
    }
    return {
      get pid() {
        return pending.pid;
      },
      done,
      kill: (signal) => {
        if (this.runs.has(id)) this.request({ t: 'kill', id, signal });
      },
    };
  };

  /** Ends the helper: it kills every process group it still runs and exits. Runs in flight fail. */
  close(): void {
    this.closed = true;
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    this.failAll(new SpawnHelperError('the spawn helper was closed'));
    if (child.connected) child.disconnect();
    child.unref();
  }

  /** Sends to the helper (starting one if needed); only called while `msg`'s run is in flight. */
  private request(msg: SpawnRequest): void {
    const child = this.ensureChild();
    this.ref(child, true);
    child.send(msg, (err) => {
      if (!err) return;
      // The channel broke: the helper is going away, and its exit fails every run still in flight.
      this.logger?.warn({ err, request: msg.t, runId: msg.id }, 'could not send to the spawn helper');
      if (msg.t === 'run') this.settle(msg.id)?.reject(new SpawnHelperError(`spawn helper: ${err.message}`));
    });
  }

  private ensureChild(): ChildProcess {
    if (this.child) return this.child;
    const child = fork(this.entry, [], {
      execArgv: [], // not the runtime's flags (inspector, heap limits, preloads)
      // Not the runtime's environment either: commands can read `/proc/$PPID/environ`, and each run
      // carries its own (already filtered) environment anyway.
      env: allowlistedEnv(),
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'json',
    });
    this.child = child;
    child.on('message', (raw: unknown) => this.onReply(raw));
    const gone = (why: string) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.failAll(new SpawnHelperError(`the spawn helper ${why}`));
    };
    child.on('exit', (code, signal) => gone(`exited (${signal ?? `code ${code}`})`));
    child.on('error', (err) => gone(`failed: ${err.message}`));
    return child;
  }

  private onReply(raw: unknown): void {
    const parsed = SpawnReplySchema.safeParse(raw);
    if (!parsed.success) {
      // Not an answer to anything: its run, if any, fails when the helper ends.
      this.logger?.error({ err: parsed.error }, 'spawn helper sent a malformed reply');
      return;
    }
    const msg: SpawnReply = parsed.data;
    if (msg.t === 'started') {
      const run = this.runs.get(msg.id);
      if (run) run.pid = msg.pid;
      return;
    }
    const run = this.settle(msg.id);
    if (!run) return;
    if (msg.t === 'failed') {
      run.reject(new SpawnHelperError(msg.message, msg.errno));
      return;
    }
    run.resolve({
      stdout: msg.stdout,
      stderr: msg.stderr,
      code: msg.code,
      signal: msg.signal as NodeJS.Signals | null,
      ...(msg.killError === undefined ? {} : { killError: msg.killError }),
    });
  }

  private settle(id: number): PendingRun | undefined {
    const run = this.runs.get(id);
    if (!run) return undefined;
    this.runs.delete(id);
    if (this.runs.size === 0 && this.child) this.ref(this.child, false);
    return run;
  }

  /** Fails every run in flight, killing the process groups the helper may have left behind. */
  private failAll(err: SpawnHelperError): void {
    const runs = [...this.runs.values()];
    this.runs.clear();
    for (const run of runs) {
      const killError = run.pid === undefined ? undefined : killGroup(run.pid);
      run.reject(
        killError === undefined
          ? err
          : new SpawnHelperError(`${err.message}; could not kill process group ${run.pid}: ${killError}`),
      );
    }
  }

  /** A helper with runs in flight keeps this thread alive; an idle one does not. */
  private ref(child: ChildProcess, on: boolean): void {
    if (on) {
      child.ref();
      child.channel?.ref();
    } else {
      child.unref();
      child.channel?.unref();
    }
  }
}

/** SIGKILLs a process group; returns why that failed, unless it was already gone (ESRCH). */
function killGroup(pid: number): string | undefined {
  try {
    process.kill(-pid, 'SIGKILL');
    return undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
    return e instanceof Error ? e.message : String(e);
  }
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}
