// A Shoal cluster node as a real child process, for the cluster tests: starts a Runtime in cluster mode
// (configuration in SHOAL_TEST_NODE) and serves calls from its parent over the IPC channel. Uses the
// built package (dist/), so run `npm run build` first.
import { Runtime } from '../../dist/index.js';

const cfg = JSON.parse(process.env.SHOAL_TEST_NODE ?? '{}');
const runtime = await Runtime.start({
  store: 'postgres',
  postgres: { connectionString: cfg.connectionString },
  cluster: {
    nodeId: cfg.nodeId,
    advertiseUrl: 'http://127.0.0.1:0',
    logicalShards: cfg.logicalShards,
    leaseTtlMs: cfg.leaseTtlMs,
  },
  shards: cfg.shards ?? 0,
  dataDir: cfg.dataDir,
  logLevel: cfg.logLevel ?? 'warn',
});
const node = runtime.clusterNode;
const subs = new Map();

const send = (msg) => {
  if (process.connected) process.send(msg);
};
const wireError = (err) => ({ code: err?.code, kind: err?.kind, message: String(err?.message ?? err) });

const handlers = {
  call: (m) => runtime[m.method](...m.args),
  heldShards: () => node.heldShards(),
  /** Append straight to the store, as the node's actors do (the epoch fence applies). */
  appendDirect: async (m) => {
    const latest = m.expectedNextSeq ?? ((await runtime.eventStore.latestSequence(m.sessionId)) ?? -1) + 1;
    return runtime.eventStore.append(m.sessionId, m.events, { expectedNextSeq: latest });
  },
  freeze: () => node.leaseManager.freezeForTest(),
  epochOf: (m) => node.leaseManager.epochOf(m.shard),
  assumeLease: (m) => node.leaseManager.assumeLeaseForTest(m.shard, m.epoch),
  subscribe: async (m) => {
    const sub = await runtime.subscribeEvents(m.sessionId, { afterSeq: m.afterSeq });
    subs.set(m.subId, sub);
    (async () => {
      try {
        for await (const e of sub) send({ t: 'event', subId: m.subId, seq: e.seq, type: e.event.type });
        send({ t: 'subEnd', subId: m.subId });
      } catch (err) {
        send({ t: 'subEnd', subId: m.subId, error: wireError(err) });
      }
    })();
  },
  shutdown: async () => {
    await runtime.shutdown();
    setImmediate(() => process.exit(0));
  },
};

process.on('message', (m) => {
  const handler = handlers[m.t];
  Promise.resolve()
    .then(() => handler(m))
    .then(
      (value) => send({ t: 'reply', id: m.id, ok: true, value }),
      (err) => send({ t: 'reply', id: m.id, ok: false, error: wireError(err) }),
    );
});
process.on('disconnect', () => process.exit(0));
send({ t: 'ready', nodeId: cfg.nodeId, url: node.advertiseUrl });
