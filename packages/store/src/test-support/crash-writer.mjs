// Child process of crash.test.ts: appends batches to many sessions forever and prints one line per
// acknowledged batch (`ack <sessionId> <firstSeq> <count> <tag>`) until the parent kills it with SIGKILL.
// Meanwhile it keeps creating sessions together with their SessionCreated (`born <sessionId>` once acknowledged),
// so a kill also lands between a registration and its first event if those were two writes.
// stdout is a pipe, which Node writes synchronously on Linux, so a printed ack has left the process.
import { LevelEventStore } from '../../dist/index.js';

const [path, durability, sessionsArg, round, maxCachedArg] = process.argv.slice(2);
const sessions = Number(sessionsArg);

// Optional cache bound below the session count: appends keep evicting and reloading sessions.
const store = await LevelEventStore.open(
  path,
  maxCachedArg === undefined ? { durability } : { durability, maxCachedSessions: Number(maxCachedArg) },
);
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

const sessionCreated = {
  type: 'SessionCreated',
  config: {
    workspace: { type: 'local', path: '/tmp/ws' },
    toolConfig: {},
    defaultModel: { provider: 'simulated', id: 'sim' },
  },
  metadata: { origin: 'born' },
};

const births = (async () => {
  for (let k = 0; ; k++) {
    const id = `born-r${round}-${k}`;
    await store.createSession(id, { tenant: 'crash' }, [sessionCreated]);
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
