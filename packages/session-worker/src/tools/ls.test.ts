import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { permissionString } from './ls.js';
import { errOf, okResult, runTool } from './test-support/run-tool.js';
import { useTempWorkspace } from './test-support/temp-workspace.js';

const temp = useTempWorkspace();

describe('ls', () => {
  it('lists the workspace by default, sorted, with sizes for files', async () => {
    const { ws } = await temp();
    await writeFile(path.join(ws, 'b.txt'), '12345');
    await mkdir(path.join(ws, 'a'));
    await chmod(path.join(ws, 'b.txt'), 0o640);
    const r = await okResult('FileList', runTool(ws, 'ls', {}));
    expect(r.basePath).toBe('.');
    expect(r.entries).toEqual([
      { path: 'a', isDirectory: true, permissions: expect.any(String) },
      { path: 'b.txt', isDirectory: false, size: 5, permissions: 'rw-r-----' },
    ]);
  });

  it('lists a subdirectory with workspace-relative paths', async () => {
    const { ws } = await temp();
    await mkdir(path.join(ws, 'src'));
    await writeFile(path.join(ws, 'src/x.ts'), '');
    const r = await okResult('FileList', runTool(ws, 'ls', { path: 'src' }));
    expect(r).toMatchObject({
      basePath: 'src',
      entries: [{ path: 'src/x.ts', isDirectory: false, size: 0 }],
    });
  });

  it('reports a symlink as itself without following it', async () => {
    const { ws, outside } = await temp();
    await symlink(outside, path.join(ws, 'out'));
    const r = await okResult('FileList', runTool(ws, 'ls', {}));
    expect(r.entries).toEqual([{ path: 'out', isDirectory: false, permissions: expect.any(String) }]);
  });

  it.each(['..', '../outside', '/etc', 'out'])('refuses to list %s', async (p) => {
    const { ws, outside } = await temp();
    await symlink(outside, path.join(ws, 'out'));
    const e = await errOf(runTool(ws, 'ls', { path: p }));
    expect(e.type === 'Execution' && e.message).toContain('outside the workspace');
  });

  it('fails on a missing directory', async () => {
    const { ws } = await temp();
    expect((await errOf(runTool(ws, 'ls', { path: 'nope' }))).type).toBe('Execution');
  });

  it('permissionString', () => {
    expect(permissionString(0o755)).toBe('rwxr-xr-x');
    expect(permissionString(0o100600)).toBe('rw-------');
  });
});
