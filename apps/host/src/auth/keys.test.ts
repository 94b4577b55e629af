import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostConfigError } from '../config-error.js';
import { tempDir } from '../test-support/host-harness.js';
import { bearerKey } from './authenticate.js';
import { digestOf, KeyRing, loadKeysFile, parseKeysEnv } from './keys.js';

describe('parseKeysEnv', () => {
  it('maps comma-separated tenant:key pairs; a key may contain colons', () => {
    const ring = parseKeysEnv('acme:k1, globex:k2,acme:with:colons');
    expect(ring.size).toBe(3);
    expect(ring.tenantFor('k1')).toBe('acme');
    expect(ring.tenantFor('k2')).toBe('globex');
    expect(ring.tenantFor('with:colons')).toBe('acme');
    expect(ring.tenantFor('k3')).toBeUndefined();
    expect(ring.tenants().sort()).toEqual(['acme', 'globex']);
    expect(parseKeysEnv('').size).toBe(0);
  });

  it('rejects malformed pairs and tenant ids, naming the variable', () => {
    for (const bad of ['no-colon', ':key', 'acme:', '../x:key', 'a b:key', 'acme:sha256:zz']) {
      expect(() => parseKeysEnv(bad), bad).toThrow(HostConfigError);
      expect(() => parseKeysEnv(bad)).toThrow(/SHOAL_API_KEYS/);
    }
  });

  it('accepts sha256 digests in place of keys', () => {
    const hex = digestOf('secret').toString('hex');
    const ring = parseKeysEnv(`acme:sha256:${hex}`);
    expect(ring.tenantFor('secret')).toBe('acme');
    expect(ring.tenantFor(`sha256:${hex}`)).toBeUndefined();
  });
});

describe('loadKeysFile', () => {
  it('reads tenants with raw keys and digests', async () => {
    const dir = await tempDir();
    const path = join(dir, 'keys.json');
    const hex = digestOf('hashed-key').toString('hex');
    await writeFile(
      path,
      JSON.stringify({ acme: ['raw-key', `sha256:${hex.toUpperCase()}`], globex: ['g'] }),
    );
    const ring = await loadKeysFile(path);
    expect(ring.tenantFor('raw-key')).toBe('acme');
    expect(ring.tenantFor('hashed-key')).toBe('acme');
    expect(ring.tenantFor('g')).toBe('globex');
    expect(ring.merge(parseKeysEnv('initech:i')).tenantFor('i')).toBe('initech');
  });

  it('rejects a missing, non-JSON or malformed file, naming --keys', async () => {
    const dir = await tempDir();
    await expect(loadKeysFile(join(dir, 'missing.json'))).rejects.toThrow(/--keys: cannot read/);
    const notJson = join(dir, 'a.json');
    await writeFile(notJson, '{');
    await expect(loadKeysFile(notJson)).rejects.toThrow(/--keys: .* is not JSON/);
    for (const bad of [
      [],
      { acme: 'k' },
      { acme: [] },
      { acme: [''] },
      { '../x': ['k'] },
      { a: ['sha256:1'] },
    ]) {
      const p = join(dir, 'b.json');
      await writeFile(p, JSON.stringify(bad));
      await expect(loadKeysFile(p), JSON.stringify(bad)).rejects.toBeInstanceOf(HostConfigError);
    }
  });
});

describe('KeyRing', () => {
  it('keeps digests only, never the keys themselves', () => {
    const ring = parseKeysEnv('acme:very-secret-key');
    expect(JSON.stringify(ring)).not.toContain('very-secret-key');
    expect(KeyRing.empty().tenantFor('anything')).toBeUndefined();
  });
});

describe('bearerKey', () => {
  it('takes the token of a Bearer header only', () => {
    expect(bearerKey('Bearer abc')).toBe('abc');
    expect(bearerKey('bearer  abc ')).toBe('abc');
    expect(bearerKey('Basic abc')).toBeUndefined();
    expect(bearerKey('Bearer')).toBeUndefined();
    expect(bearerKey('Bearer a b')).toBeUndefined();
    expect(bearerKey(undefined)).toBeUndefined();
  });
});
