// A tool-pool task module for tests: a grep task whose pattern is `SPIN` writes `<base>/spinning` (so a
// test knows it runs) and never returns (a busy loop only a thread termination ends); every other task runs
// the real module. Plain JS: piscina loads it as is.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import runToolTask from '../../../dist/tools/pool/tool-task-worker.js';

export default function spinOrRun(task) {
  if (task.kind === 'grep' && task.pattern === 'SPIN') {
    writeFileSync(path.join(task.base, 'spinning'), String(process.pid));
    for (;;) {
      // busy: stands for a match that takes forever
    }
  }
  return runToolTask(task);
}
