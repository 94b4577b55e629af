// A stand-in for a runtime that dies while talking to its spawn helper: forks the helper (argv[2]), starts
// two long sleepers in one run and prints `ready <helperPid> <sleeperPid> <sleeperPid>`. Then, by `mode`
// (argv[4]), it SIGKILLs itself either while many replies are in flight (`replies`) or right after writing
// a burst of requests (`burst`: the helper reads them, and its `started` replies hit a closed channel before
// it reads the end of the channel). Plain JS: the test runs it with `node`.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [entry, ws, mode] = process.argv.slice(2);
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
const helper = fork(entry, [], { execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
let nextId = 1;
let done = 0;
const run = (command) => helper.send({ t: 'run', id: nextId++, command, cwd: ws, env });
const flood = () => run('head -c 65536 /dev/zero | tr "\\0" x');

helper.on('message', (m) => {
  if (m.t !== 'done' || m.id === 1) return;
  done++;
  if (done === 200) process.kill(process.pid, 'SIGKILL');
  flood();
});
run('sleep 100 & echo $! >> pids; sleep 100 & echo $! >> pids; wait');
const timer = setInterval(() => {
  const file = path.join(ws, 'pids');
  const pids = readFileSync(file, { encoding: 'utf8', flag: 'a+' }).split('\n').filter(Boolean);
  if (pids.length < 2) return;
  clearInterval(timer);
  process.stdout.write(`ready ${helper.pid} ${pids.join(' ')}\n`);
  if (mode === 'burst') {
    for (let i = 0; i < 20; i++) run('echo $$ >> pids; exec sleep 100');
    process.kill(process.pid, 'SIGKILL');
  } else {
    for (let i = 0; i < 64; i++) flood();
  }
}, 10);
