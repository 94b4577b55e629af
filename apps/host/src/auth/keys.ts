import { hash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { HostConfigError } from '../config-error.js';

/**
 * Tenant ids name directories under the data dir (per-tenant workspaces) and appear in metrics labels, so
 * they are restricted to a portable file-name alphabet.
 */
export const TenantIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
    'a tenant id is 1-64 of A-Z a-z 0-9 _ . - (starting with a letter or digit)',
  );

const DIGEST_PREFIX = 'sha256:';
const KeySchema = z
  .string()
  .min(1)
  .refine((k) => !k.startsWith(DIGEST_PREFIX) || /^sha256:[0-9a-f]{64}$/i.test(k), {
    message: 'a sha256: key is followed by 64 hex digits',
  });

/** `--keys FILE` (api.md): a JSON object mapping each tenant id to its keys (raw or `sha256:<hex>`). */
export const KeysFileSchema = z.record(TenantIdSchema, z.array(KeySchema).min(1));

interface KeyEntry {
  tenant: string;
  digest: Buffer;
}

/**
 * The sha256 digest of a key: all the host ever keeps of it. One-shot `crypto.hash`: it runs on every `/v1`
 * request, and a `Hash` object per call costs several times the hashing itself.
 */
export function digestOf(key: string): Buffer {
  return hash('sha256', key, 'buffer');
}

/**
 * The API keys the host accepts, as sha256 digests only (a raw key from the environment or a file is hashed
 * at load and not kept). `tenantFor` compares the presented key's digest with every stored digest using
 * `timingSafeEqual`, without stopping at a match, so its timing says nothing about which key, or how much of
 * one, matched.
 */
export class KeyRing {
  constructor(private readonly entries: readonly KeyEntry[]) {}

  static empty(): KeyRing {
    return new KeyRing([]);
  }

  get size(): number {
    return this.entries.length;
  }

  /** The tenants that have at least one key. */
  tenants(): string[] {
    return [...new Set(this.entries.map((e) => e.tenant))];
  }

  tenantFor(key: string): string | undefined {
    const presented = digestOf(key);
    let found: string | undefined;
    for (const e of this.entries) {
      if (timingSafeEqual(presented, e.digest) && found === undefined) found = e.tenant;
    }
    return found;
  }

  merge(other: KeyRing): KeyRing {
    return new KeyRing([...this.entries, ...other.entries]);
  }
}

function entry(tenant: string, key: string): KeyEntry {
  const digest = key.startsWith(DIGEST_PREFIX)
    ? Buffer.from(key.slice(DIGEST_PREFIX.length), 'hex')
    : digestOf(key);
  return { tenant, digest };
}

/** `SHOAL_API_KEYS` (api.md): comma-separated `tenant:key` pairs; the key is everything after the first `:`. */
export function parseKeysEnv(value: string, source = 'SHOAL_API_KEYS'): KeyRing {
  const entries: KeyEntry[] = [];
  for (const raw of value.split(',')) {
    const pair = raw.trim();
    if (pair === '') continue;
    const colon = pair.indexOf(':');
    const tenant = colon < 0 ? '' : pair.slice(0, colon);
    const key = colon < 0 ? '' : pair.slice(colon + 1);
    const t = TenantIdSchema.safeParse(tenant);
    const k = KeySchema.safeParse(key);
    if (!t.success || !k.success) {
      const why = t.success ? 'an empty or malformed key' : `bad tenant id "${tenant}"`;
      throw new HostConfigError(source, `expected tenant:key pairs separated by commas (${why})`);
    }
    entries.push(entry(t.data, k.data));
  }
  return new KeyRing(entries);
}

/** Reads a `--keys` file; a missing, unreadable or malformed file is a `HostConfigError` naming `--keys`. */
export async function loadKeysFile(path: string): Promise<KeyRing> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new HostConfigError('--keys', `cannot read ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new HostConfigError('--keys', `${path} is not JSON: ${(err as Error).message}`);
  }
  const parsed = KeysFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new HostConfigError(
      '--keys',
      `${path} must map tenant ids to lists of keys${where}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const entries: KeyEntry[] = [];
  for (const [tenant, keys] of Object.entries(parsed.data)) {
    for (const key of keys) entries.push(entry(tenant, key));
  }
  return new KeyRing(entries);
}
