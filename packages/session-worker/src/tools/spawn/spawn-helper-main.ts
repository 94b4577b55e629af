import { type GroupProcess, startGroupProcess } from './group-process.js';
import { type SpawnReply, SpawnRequest } from './spawn-protocol.js';

/*
 * The spawn helper process (see spawn-helper.ts): a small Node process that runs `bash` commands for the
 * thread that forked it, so that the fork behind every `spawn` copies this process's few dozen MB of memory
 * mappings instead of the runtime's hundreds, and blocks this process's thread instead of a shard's.
 * Everything it starts dies with it: whenever the IPC channel goes away (the thread ended, closed the helper
 * or crashed, the runtime was killed), however the helper learns of it (disconnect, a failed send, EPIPE),
 * every running command's process group is killed and the helper exits.
 */

const send = process.send?.bind(process);
if (!send) throw new Error('spawn-helper-main must be started with an IPC channel');
const runs = new Map<number, GroupProcess>();
let stopping = false;

/**
 * Kills every process group still running, then exits. Each kill is tried on its own, so one failure
 * cannot spare the others. Quiet unless `problem` says why this is not a normal shutdown.
 */
function stop(exitCode: number, problem?: string): void {
  if (stopping) return;
  stopping = true;
  for (const run of runs.values()) {
    try {
      run.kill('SIGKILL');
    } catch {
      // `kill` reports its own errors with the result; there is nobody left to report this one to.
    }
  }
  runs.clear();
  if (problem !== undefined) {
    try {
      process.stderr.write(`spawn helper: ${problem}\n`);
    } catch {
      // stderr is gone too: exiting is all that is left.
    }
  }
  process.exit(exitCode);
}

/** Sends a reply; a channel that cannot take it is gone, which ends the helper like a disconnect. */
function reply(msg: SpawnReply): void {
  if (stopping) return;
  if (!process.connected) {
    stop(0);
    return;
  }
  try {
    send?.(msg, undefined, undefined, (err: Error | null) => {
      if (err) stop(0);
    });
  } catch {
    stop(0);
  }
}

process.on('message', (raw: unknown) => {
  if (stopping) return;
  const parsed = SpawnRequest.safeParse(raw);
  if (!parsed.success) {
    const id = (raw as { id?: unknown } | null)?.id;
    const message = `spawn helper: malformed request: ${parsed.error.message}`;
    if (typeof id === 'number' && Number.isInteger(id) && id > 0) reply({ t: 'failed', id, message });
    else process.stderr.write(`${message}\n`);
    return;
  }
  const req = parsed.data;
  if (req.t === 'kill') {
    runs.get(req.id)?.kill(req.signal);
    return;
  }
  let run: GroupProcess;
  try {
    run = startGroupProcess({ command: req.command, cwd: req.cwd, env: req.env });
  } catch (err) {
    // spawn refuses some arguments synchronously (e.g. a NUL byte in the command)
    reply({ t: 'failed', id: req.id, message: err instanceof Error ? err.message : String(err) });
    return;
  }
  runs.set(req.id, run);
  if (run.pid !== undefined) reply({ t: 'started', id: req.id, pid: run.pid });
  run.done.then(
    (r) => {
      runs.delete(req.id);
      reply({ t: 'done', id: req.id, ...r });
    },
    (err: NodeJS.ErrnoException) => {
      runs.delete(req.id);
      reply({
        t: 'failed',
        id: req.id,
        message: err.message,
        ...(typeof err.code === 'string' ? { errno: err.code } : {}),
      });
    },
  );
});

process.on('disconnect', () => stop(0));
// A channel error without a send callback to take it (EPIPE, ECONNRESET) would otherwise be uncaught.
process.on('error', () => stop(0));
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => stop(0));
process.on('uncaughtException', (err) => stop(1, `unexpected error: ${err.message}`));
process.on('unhandledRejection', (reason) =>
  stop(1, `unexpected rejection: ${reason instanceof Error ? reason.message : String(reason)}`),
);
