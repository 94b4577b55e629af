import { type GroupProcess, startGroupProcess } from './group-process.js';
import { type SpawnReply, SpawnRequest } from './spawn-protocol.js';

/*
 * The spawn helper process (see spawn-helper.ts): a small Node process that runs `bash` commands for the
 * thread that forked it, so that the fork behind every `spawn` copies this process's few dozen MB of memory
 * mappings instead of the runtime's hundreds, and blocks this process's thread instead of a shard's.
 * Everything it starts dies with it: when the IPC channel closes (the thread ended, closed the helper, or
 * crashed) every running command's process group is killed and the helper exits.
 */

const send = process.send?.bind(process);
if (!send) throw new Error('spawn-helper-main must be started with an IPC channel');
const reply = (msg: SpawnReply): void => {
  send(msg);
};
const runs = new Map<number, GroupProcess>();

process.on('message', (raw: unknown) => {
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

process.on('disconnect', () => {
  for (const run of runs.values()) run.kill('SIGKILL');
  process.exit(0);
});
