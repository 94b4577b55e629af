// The cluster's peer transport: undici over HTTP/1.1 keep-alive (what peer-client.ts uses) against undici
// over cleartext HTTP/2 with prior knowledge (h2c, `H2CClient` against node:http2), in one run.
//
//   node bench/cluster/peer-transport-bench.mjs [--seconds 3] [--repeat 3] [--inflight 1,64,512]
//
// Both servers answer the same handler as the peer endpoint does for a forwarded command: read the JSON
// body, parse it, reply with a small JSON body. The client keeps --inflight requests in flight. HTTP/1.1
// uses the peer client's settings (64 connections, pipelining 1); h2c uses one connection with up to
// 1,000 concurrent streams. Reported: requests/s, p50/p99 latency and CPU µs per request of this process
// (client and server both run here, so that is the whole cost of the transport).
import { createServer } from 'node:http';
import { createServer as createH2Server } from 'node:http2';
import os from 'node:os';
import { Agent, H2CClient } from 'undici';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const SECONDS = Number(arg('seconds', '3'));
const REPEAT = Number(arg('repeat', '3'));
const INFLIGHT = arg('inflight', '1,64,512').split(',').map(Number);

// A forwarded `dispatch` of a user input, about the size the router sends.
const COMMAND = JSON.stringify({
  t: 'dispatch',
  sessionId: '6f1c0f5e-8f8e-4b7a-9d57-1f0c2c0d6a11',
  action: {
    type: 'UserInput',
    sessionId: '6f1c0f5e-8f8e-4b7a-9d57-1f0c2c0d6a11',
    opId: '0b7f0c52-53b4-4f55-8a9e-7d1c1e9c2a10',
    messageId: 'a3f7c1de-2b7c-4a4e-9d1b-0e4c8d2f6b31',
    content: [{ type: 'text', text: 'lorem ipsum dolor sit amet, '.repeat(10) }],
    timestamp: 1735689600,
  },
});

function handler(req, res) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const cmd = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const text = JSON.stringify({ ok: true, value: { opId: cmd.action.opId } });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
}

async function listen(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${server.address().port}`;
}

async function drive(dispatcher, origin, inflight) {
  const latencies = [];
  let n = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (performance.now() < deadline) {
        const start = performance.now();
        const res = await dispatcher.request({
          origin,
          path: '/cluster/v1/request',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: COMMAND,
        });
        await res.body.json();
        latencies.push(performance.now() - start);
        n++;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  const at = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return { perSec: n / elapsed, p50: at(50), p99: at(99), cpuUs: (cpu.user + cpu.system) / n };
}

const h1Server = createServer(handler);
h1Server.keepAliveTimeout = 60_000;
const h2Server = createH2Server({ settings: { maxConcurrentStreams: 1000 } }, handler);
const h1Origin = await listen(h1Server);
const h2Origin = await listen(h2Server);

const median = (runs) => [...runs].sort((a, b) => a.perSec - b.perSec)[Math.floor(runs.length / 2)];
const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(
  `node ${process.version}, undici ${(await import('undici/package.json', { with: { type: 'json' } })).default.version}, ` +
    `${os.availableParallelism()} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${SECONDS}s per run, median of ${REPEAT}, ` +
    `load average ${os.loadavg()[0].toFixed(1)}`,
);
console.log('');
console.log(
  '| in flight | HTTP/1.1 req/s | HTTP/1.1 p50 / p99 ms | HTTP/1.1 CPU µs/req | h2c req/s | h2c p50 / p99 ms | h2c CPU µs/req | h2c / HTTP/1.1 |',
);
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
try {
  for (const inflight of INFLIGHT) {
    const h1Runs = [];
    const h2Runs = [];
    for (let r = 0; r < REPEAT; r++) {
      const agent = new Agent({ keepAliveTimeout: 30_000, connections: 64, pipelining: 1 });
      h1Runs.push(await drive(agent, h1Origin, inflight));
      await agent.close();
      const h2 = new H2CClient(h2Origin, { maxConcurrentStreams: 1000, pipelining: 1000 });
      h2Runs.push(await drive(h2, h2Origin, inflight));
      await h2.close();
    }
    const a = median(h1Runs);
    const b = median(h2Runs);
    console.log(
      `| ${inflight} | ${fmt(a.perSec)} | ${a.p50.toFixed(2)} / ${a.p99.toFixed(2)} | ${a.cpuUs.toFixed(0)} | ` +
        `${fmt(b.perSec)} | ${b.p50.toFixed(2)} / ${b.p99.toFixed(2)} | ${b.cpuUs.toFixed(0)} | ${(b.perSec / a.perSec).toFixed(2)} |`,
    );
  }
} finally {
  h1Server.close();
  h2Server.close();
}
