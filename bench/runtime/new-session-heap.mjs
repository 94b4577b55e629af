// Heap per never-used resident session: N × createSession() in-process (shards 0, LevelDB), heap after
// forced GC before and after, divided by N. Run: node --expose-gc bench/runtime/new-session-heap.mjs [N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Runtime } from '@shoal/supervisor';

if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc');
const N = Number(process.argv[2] ?? 10_000);
const dataDir = mkdtempSync(join(tmpdir(), 'shoal-heap-'));
const rt = await Runtime.start({ dataDir, shards: 0, durability: 'buffered', logLevel: 'silent' });
const heap = () => {
  global.gc();
  global.gc();
  return process.memoryUsage().heapUsed;
};
const before = heap();
for (let i = 0; i < N; i += 500) {
  await Promise.all(Array.from({ length: Math.min(500, N - i) }, () => rt.createSession()));
}
const after = heap();
console.log(
  `| sessions | heap bytes per new idle session |\n|---|---|\n| ${N} | ${Math.round((after - before) / N)} |`,
);
await rt.shutdown();
rmSync(dataDir, { recursive: true, force: true });
