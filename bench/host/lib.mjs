// Helpers for host-bench: child processes that print a listening line, their CPU and memory from /proc,
// and an SSE client that waits for events by type.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { Agent, Pool } from 'undici';

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

/** User + system CPU seconds in a /proc stat line (fields 14 and 15). */
function statCpuSeconds(path) {
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** User + system CPU seconds of a process (all its threads), from /proc/<pid>/stat. */
export function cpuSeconds(pid) {
  return statCpuSeconds(`/proc/${pid}/stat`);
}

/**
 * CPU seconds of a process's main thread alone (its event loop: HTTP, SSE, the runtime's supervisor); the
 * rest of `cpuSeconds` is shard workers, the libuv pool (LevelDB) and V8's GC and compiler threads.
 */
export function mainThreadCpuSeconds(pid) {
  return statCpuSeconds(`/proc/${pid}/task/${pid}/stat`);
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

/*
 * The client side uses undici's bare dispatch handlers rather than `request()` and its body streams: on 2
 * cores the client shares the CPUs with the server it measures, so every µs it spends per turn is taken from
 * the host. The bytes on the wire are the same; only the client's bookkeeping is less.
 */

/** POSTs JSON and resolves with the parsed body; rejects unless the status is `expect`. */
export function postJson(pool, path, body, key, expect) {
  return new Promise((resolve, reject) => {
    let status = 0;
    const chunks = [];
    pool.dispatch(
      {
        path,
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      {
        onRequestStart() {},
        onResponseStart(_controller, statusCode) {
          status = statusCode;
        },
        onResponseData(_controller, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          const text =
            chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
          if (status !== expect) reject(new Error(`POST ${path}: ${status} ${text}`));
          else resolve(text === '' ? undefined : JSON.parse(text));
        },
        onResponseError(_controller, err) {
          reject(err);
        },
      },
    );
  });
}

/**
 * Opens an event stream and calls `onEvent(type, dataJson)` for each event whose type is in `types`
 * (the data is parsed only for those). Resolves once the response head has arrived.
 */
export function openEvents(agent, url, key, types, onEvent) {
  const { origin, pathname, search } = new URL(url);
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  let controller;
  let status = 0;
  let errorBody = '';
  let ended;
  const done = new Promise((resolve) => {
    ended = resolve;
  });
  /** One SSE message (the lines between blank lines): its `event:` and `data:` fields. */
  const dispatchBlock = (block) => {
    let type;
    let data;
    let at = 0;
    while (at < block.length) {
      let eol = block.indexOf('\n', at);
      if (eol < 0) eol = block.length;
      if (block.startsWith('event: ', at)) type = block.slice(at + 7, eol);
      else if (block.startsWith('data: ', at)) data = block.slice(at + 6, eol);
      at = eol + 1;
    }
    if (type !== undefined && types.has(type))
      onEvent(type, data === undefined ? undefined : JSON.parse(data));
  };
  return new Promise((resolve, reject) => {
    agent.dispatch(
      {
        origin,
        path: pathname + search,
        method: 'GET',
        headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' },
      },
      {
        onRequestStart(c) {
          controller = c;
        },
        onResponseStart(_c, statusCode) {
          status = statusCode;
          if (status === 200)
            resolve({ close: () => controller.abort(new Error('closed by the benchmark')), done });
        },
        onResponseData(_c, chunk) {
          if (status !== 200) {
            errorBody += chunk.toString('utf8');
            return;
          }
          buffer += decoder.write(chunk);
          let end = buffer.indexOf('\n\n');
          if (end < 0) return;
          let from = 0;
          while (end >= 0) {
            dispatchBlock(buffer.slice(from, end));
            from = end + 2;
            end = buffer.indexOf('\n\n', from);
          }
          buffer = buffer.slice(from);
        },
        onResponseEnd() {
          if (status !== 200) reject(new Error(`GET ${url}: ${status} ${errorBody}`));
          ended();
        },
        // the stream was closed by the benchmark (or the host went away)
        onResponseError(_c, err) {
          if (status !== 200) reject(err);
          ended();
        },
      },
    );
  });
}
