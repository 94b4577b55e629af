import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consoleRoutes } from './console.js';

let dir: string;
let build: string; // the console build inside dir, with a file beside it that must never be served
let app: FastifyInstance;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'console-route-'));
  build = join(dir, 'console');
  app = Fastify();
  app.setNotFoundHandler((_req, reply) =>
    reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'no' } }),
  );
});
afterEach(async () => {
  await app.close();
  await rm(dir, { recursive: true, force: true });
});

async function writeBuild(): Promise<void> {
  await mkdir(join(build, 'assets'), { recursive: true });
  await writeFile(join(build, 'index.html'), '<!doctype html><title>console</title>');
  await writeFile(join(build, 'assets', 'index-abc123.js'), 'export {};');
  await writeFile(join(dir, 'secret.txt'), 'outside the build');
}

describe('console route', () => {
  it('serves the page at / with a strict CSP, revalidated, and hashed assets as immutable', async () => {
    await writeBuild();
    await consoleRoutes(app, build);
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<title>console</title>');
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toBe('no-cache');

    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('serves only the files of the build: anything else is the JSON 404', async () => {
    await writeBuild();
    await consoleRoutes(app, build);
    for (const url of [
      '/nope',
      '/assets/missing.js',
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/v1/sessions',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).not.toContain('outside the build');
    }
  });

  it('says how to build the console when there is no build', async () => {
    await consoleRoutes(app, build);
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
  });
});
