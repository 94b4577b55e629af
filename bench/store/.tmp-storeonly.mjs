import { mkdtempSync } from 'node:fs';
import { LevelEventStore } from '@shoal/store';

const model = { provider: 'anthropic', id: 'claude-sonnet-4' };
const text = (n) => 'lorem ipsum dolor sit amet, '.repeat(Math.ceil(n / 28)).slice(0, n);
const ev = {
  type: 'UserMessageAdded',
  message: {
    role: 'user',
    id: 'x',
    parentMessageId: null,
    timestamp: 1735689600,
    content: [{ type: 'text', text: text(300) }],
  },
};
const ev2 = {
  type: 'LlmUsageUpdated',
  opId: '6f1c',
  model,
  usage: { inputTokens: 1, outputTokens: 3, totalTokens: 4 },
};
const store = await LevelEventStore.open(mkdtempSync('/tmp/so-') + '/db', {
  durability: process.argv[2] ?? 'buffered',
});
const ids = Array.from({ length: 1000 }, (_, i) => `sess-${i}`);
await Promise.all(ids.map((id) => store.createSession(id, { tenant: 't' })));
const deadline = performance.now() + 4000;
let n = 0;
await Promise.all(
  ids.map(async (id) => {
    let next = 0;
    for (let k = 0; performance.now() < deadline; k++) {
      await store.append(id, [k % 2 ? ev : ev2], { expectedNextSeq: next });
      next++;
      n++;
    }
  }),
);
console.log('events/s', n / 4);
await store.close();
