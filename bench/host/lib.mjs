// Helpers for host-bench: child processes that print a listening line, their CPU and memory from /proc,
// and an SSE client that waits for events by type.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, Pool, request } from 'undici';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Spawns `node args`, resolves with `{ child, url }` once stdout has a `... listening on URL` line. */
export function spawnListening(args, env = {}) {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (c) => {
      out += c;
      const m = / listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code} before listening`)));
  });
}

export function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** User + system CPU seconds of a process (all its threads), from /proc/<pid>/stat. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Resident set size of a process in bytes, from /proc/<pid>/status. */
export function rssBytes(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

/** A keep-alive connection pool for commands (POSTs), and an agent with no connection cap for streams. */
export function clients(url, connections) {
  return { pool: new Pool(url, { connections, pipelining: 1 }), streams: new Agent({ connections: null }) };
}

/** POSTs JSON and returns the parsed body; throws unless the status is `expect`. */
export async function postJson(pool, path, body, key, expect) {
  const res = await pool.request({
    path,
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode !== expect) throw new Error(`POST ${path}: ${res.statusCode} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

/**
 * Opens an event stream and calls `onEvent(type, dataJson)` for each event whose type is in `types`
 * (the data is parsed only for those). Resolves once the response head has arrived.
 */
export async function openEvents(agent, url, key, types, onEvent) {
  const res = await request(url, {
    dispatcher: agent,
    headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' },
  });
  if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${await res.body.text()}`);
  res.body.setEncoding('utf8');
  let buffer = '';
  const done = (async () => {
    try {
      for await (const chunk of res.body) {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const ev = /^event: (\S+)$/m.exec(block)?.[1];
          if (ev !== undefined && types.has(ev)) {
            const data = /^data: (.*)$/m.exec(block)?.[1];
            onEvent(ev, data === undefined ? undefined : JSON.parse(data));
          }
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // the stream was closed by the benchmark
    }
  })();
  return { close: () => res.body.destroy(), done };
}
