import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildHost, type Host, type HostOptions } from '../app.js';
import { parseKeysEnv } from '../auth/keys.js';

export const ACME_KEY = 'acme-secret-key';
export const GLOBEX_KEY = 'globex-secret-key';
export const TEST_KEYS = `acme:${ACME_KEY},globex:${GLOBEX_KEY}`;

export async function tempDir(prefix = 'shoal-host-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export interface TestHost {
  host: Host;
  url: string;
  dataDir: string;
  /** Requests as acme (default) or with another key (`null`: no Authorization header). */
  api: (path: string, init?: ApiInit) => Promise<ApiResponse>;
  close(): Promise<void>;
}

export interface ApiInit {
  method?: string;
  body?: unknown;
  /** a raw body string, sent as is with `content-type: application/json` */
  rawBody?: string;
  key?: string | null;
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  json: any;
}

/** A host on a loopback ephemeral port over a real LevelDB in a temp dir, with tenants acme and globex. */
export async function startTestHost(
  opts: Partial<HostOptions> = {},
  /** runs before the host listens (e.g. to add a test route to `host.app`) */
  setup?: (host: Host) => void,
): Promise<TestHost> {
  const dataDir = opts.dataDir ?? (await tempDir());
  const host = await buildHost({
    keys: parseKeysEnv(TEST_KEYS),
    logLevel: 'silent',
    ...opts,
    dataDir,
    runtimeOptions: { durability: 'buffered', shards: 1, ...opts.runtimeOptions },
  });
  setup?.(host);
  const url = await host.listen({ host: '127.0.0.1', port: 0 });
  return {
    host,
    url,
    dataDir,
    api: (path, init) => api(url, path, init),
    async close() {
      await host.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function api(url: string, path: string, init: ApiInit = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...init.headers };
  const key = init.key === undefined ? ACME_KEY : init.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (init.rawBody !== undefined) body = init.rawBody;
  else if (init.body !== undefined) body = JSON.stringify(init.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url + path, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text === '' ? undefined : JSON.parse(text) };
}

/** Creates a session as `key`'s tenant and returns its id. */
export async function createSession(t: TestHost, body: unknown = {}, key = ACME_KEY): Promise<string> {
  const r = await t.api('/v1/sessions', { method: 'POST', body, key });
  if (r.status !== 201) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.id as string;
}
