// Child process of the crash tests (test-support/crash-harness.ts): appends batches of 1-5 events to many
// sessions forever and prints one line per acknowledged batch (`ack <sessionId> <firstSeq> <count> <tag>`);
// meanwhile it keeps creating sessions together with their SessionCreated (`born <sessionId>` once
// acknowledged), so a kill also lands between a registration and its first event if those were two writes.
// It runs until the parent kills it with SIGKILL. stdout is a pipe, which Node writes synchronously on Linux,
// so a printed ack has left the process.
//
//   node crash-writer.mjs level <path> <durability> <sessions> <round> [maxCachedSessions]
//   node crash-writer.mjs postgres <connectionString> <sessions> <round>
import { LevelEventStore, PostgresEventStore } from '../../dist/index.js';

const [kind, ...rest] = process.argv.slice(2);

async function openStore() {
  if (kind === 'postgres') {
    const [url, sessions, round] = rest;
    return { store: await PostgresEventStore.open(url), sessions: Number(sessions), round };
  }
  const [path, durability, sessions, round, maxCached] = rest;
  // Optional cache bound below the session count: appends keep evicting and reloading sessions.
  const opts =
    maxCached === undefined ? { durability } : { durability, maxCachedSessions: Number(maxCached) };
  return { store: await LevelEventStore.open(path, opts), sessions: Number(sessions), round };
}

const { store, sessions, round } = await openStore();
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
