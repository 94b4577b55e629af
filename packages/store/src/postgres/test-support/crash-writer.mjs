// Child process of postgres-crash.test.ts: appends batches of 1-5 events to many sessions of a PostgreSQL
// store forever and prints one line per acknowledged batch (`ack <sessionId> <firstSeq> <count> <tag>`); it
// also keeps creating sessions with their first event in the same write (`born <sessionId>`), until the
// parent kills it with SIGKILL. stdout is a pipe, written synchronously on Linux: a printed ack has left.
import { PostgresEventStore } from '../../../dist/index.js';

const [url, sessionsArg, round] = process.argv.slice(2);
const sessions = Number(sessionsArg);
const store = await PostgresEventStore.open(url);
const ids = Array.from({ length: sessions }, (_, i) => `crash-${i}`);
for (const id of ids) {
  if (!(await store.sessionExists(id))) await store.createSession(id, { tenant: 'crash' });
}
process.stdout.write('ready\n');

let seed = (Number(round) * 7919 + 17) >>> 0;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) >>> 0;
  return seed / 2 ** 32;
};

const event = (tag, j, n) => ({
  type: 'UserMessageAdded',
  message: {
    role: 'user',
    id: `${tag}:${j}:${n}`,
    parentMessageId: null,
    timestamp: 0,
    content: [{ type: 'text', text: 'x'.repeat(Math.floor(random() * 2000)) }],
  },
});

const births = (async () => {
  for (let k = 0; ; k++) {
    const id = `born-r${round}-${k}`;
    await store.createSession(id, { tenant: 'crash' }, [event(`born.${id}`, 0, 1)]);
    process.stdout.write(`born ${id}\n`);
  }
})();

await Promise.all([
  births,
  ...ids.map(async (id) => {
    let next = ((await store.latestSequence(id)) ?? -1) + 1;
    for (let k = 0; ; k++) {
      const n = 1 + Math.floor(random() * 5);
      const tag = `r${round}.${id}.${k}`;
      const events = Array.from({ length: n }, (_, j) => event(tag, j, n));
      const seqs = await store.append(id, events, { expectedNextSeq: next });
      process.stdout.write(`ack ${id} ${seqs[0]} ${n} ${tag}\n`);
      next += n;
    }
  }),
]);
