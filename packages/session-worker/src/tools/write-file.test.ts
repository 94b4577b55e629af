import { readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errOf, okResult, runTool } from './test-support/run-tool.js';
import { useTempWorkspace } from './test-support/temp-workspace.js';

const temp = useTempWorkspace();

describe('write_file', () => {
  it('creates a file and its parent directories', async () => {
    const { ws } = await temp();
    const r = await okResult('Edit', runTool(ws, 'write_file', { file_path: 'a/b/c.txt', content: 'hi' }));
    expect(r).toEqual({ type: 'Edit', filePath: 'a/b/c.txt', changesMade: true, fileCreated: true });
    expect(await readFile(path.join(ws, 'a/b/c.txt'), 'utf8')).toBe('hi');
  });

  it('overwrites, and reports no change for identical content', async () => {
    const { ws } = await temp();
    await writeFile(path.join(ws, 'f'), 'old');
    const r = await okResult('Edit', runTool(ws, 'write_file', { file_path: 'f', content: 'new' }));
    expect(r).toMatchObject({ changesMade: true, fileCreated: false });
    expect(await readFile(path.join(ws, 'f'), 'utf8')).toBe('new');
    const same = await okResult('Edit', runTool(ws, 'write_file', { file_path: 'f', content: 'new' }));
    expect(same).toMatchObject({ changesMade: false, fileCreated: false });
  });

  it('creates a missing workspace directory on demand', async () => {
    const { ws } = await temp();
    const fresh = path.join(ws, 'not-yet');
    await okResult('Edit', runTool(fresh, 'write_file', { file_path: 'x', content: '1' }));
    expect(await readFile(path.join(fresh, 'x'), 'utf8')).toBe('1');
  });

  it('refuses to write to a directory', async () => {
    const { ws } = await temp();
    expect((await errOf(runTool(ws, 'write_file', { file_path: '.', content: 'x' }))).type).toBe('Execution');
  });

  it.each([
    '../outside/new',
    '/tmp/shoal-escape-test',
    'a/../../outside/new',
    'link',
    'dirlink/new',
    'dangling',
  ])('refuses to write %s and touches nothing outside', async (p) => {
    const { ws, outside } = await temp();
    await writeFile(path.join(outside, 'target'), 'original');
    await symlink(path.join(outside, 'target'), path.join(ws, 'link'));
    await symlink(outside, path.join(ws, 'dirlink'));
    await symlink(path.join(outside, 'created-through-dangling'), path.join(ws, 'dangling'));
    const e = await errOf(runTool(ws, 'write_file', { file_path: p, content: 'pwned' }));
    expect(e.type === 'Execution' && e.message).toContain('outside the workspace');
    expect((await readdir(outside)).sort()).toEqual(['target']);
    expect(await readFile(path.join(outside, 'target'), 'utf8')).toBe('original');
    await expect(readFile('/tmp/shoal-escape-test')).rejects.toThrow();
  });
});
