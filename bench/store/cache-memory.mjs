// Heap and Buffer memory per cached session of LevelEventStore's session cache: 10,000 sessions (UUID ids, a
// tenant tag, one assistant message each) cached, then all evicted; the difference after forced GC.
//
//   npx turbo run build --filter=@shoal/store && node --expose-gc bench/store/cache-memory.mjs

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { LevelEventStore } from '@shoal/store';

const dir = mkdtempSync(join(os.tmpdir(), 'mem-'));
const store = await LevelEventStore.open(join(dir, 'db'), { durability: 'buffered' });
const N = 10000;
const ids = Array.from({ length: N }, () => randomUUID());
const ev = {
  type: 'AssistantMessageAdded',
  model: { provider: 'simulated', id: 'simulated-1' },
  message: {
    role: 'assistant',
    id: 'm',
    parentMessageId: null,
    timestamp: 1,
    content: [{ type: 'text', text: 'hi' }],
  },
};
for (let i = 0; i < N; i += 500)
  await Promise.all(ids.slice(i, i + 500).map((id) => store.createSession(id, { tenant: 'acme' })));
for (let i = 0; i < N; i += 500) await Promise.all(ids.slice(i, i + 500).map((id) => store.append(id, [ev])));
gc();
gc();
const h0 = process.memoryUsage();
for (const id of ids) store.evictSession(id);
gc();
gc();
const h1 = process.memoryUsage();
if (store.cachedSessionCount !== 0) throw new Error('evictSession left sessions cached');
console.log(
  `${N} cached sessions: ${((h0.heapUsed - h1.heapUsed) / N / 1024).toFixed(3)} KiB heap and ` +
    `${((h0.external - h1.external) / N).toFixed(0)} B of Buffer memory per session`,
);
await store.close();
rmSync(dir, { recursive: true, force: true });
