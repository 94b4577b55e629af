import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempWorkspace } from './test-support/temp-workspace.js';
import { resolveInWorkspace, resolveWorkspacePath, WorkspacePathError } from './workspace-path.js';

const temp = useTempWorkspace();

describe('resolveInWorkspace (api.md "Built-in tools": every path is confined)', () => {
  it('resolves relative paths against the workspace, existing or not', async () => {
    const { ws } = await temp();
    await writeFile(path.join(ws, 'a.txt'), 'x');
    expect(await resolveInWorkspace(ws, 'a.txt')).toBe(path.join(ws, 'a.txt'));
    expect(await resolveInWorkspace(ws, 'new/dir/b.txt')).toBe(path.join(ws, 'new/dir/b.txt'));
    expect(await resolveInWorkspace(ws, '.')).toBe(ws);
    expect(await resolveInWorkspace(ws, 'a/../b')).toBe(path.join(ws, 'b'));
  });

  it('accepts an absolute path inside the workspace', async () => {
    const { ws } = await temp();
    expect(await resolveInWorkspace(ws, path.join(ws, 'x/y'))).toBe(path.join(ws, 'x/y'));
  });

  it('gives a workspace-relative display path', async () => {
    const { ws } = await temp();
    expect((await resolveWorkspacePath(ws, './src/a.ts')).relative).toBe('src/a.ts');
    expect((await resolveWorkspacePath(ws, '')).relative).toBe('.');
  });

  it.each(['../x', '..', 'a/../../x', '/etc/passwd', '../outside/secret', 'sub/../../outside'])(
    'refuses %s',
    async (p) => {
      const { ws } = await temp();
      await expect(resolveInWorkspace(ws, p)).rejects.toBeInstanceOf(WorkspacePathError);
    },
  );

  it('refuses a sibling whose name starts with the workspace name', async () => {
    const { ws, root } = await temp();
    await mkdir(path.join(root, 'ws-evil'));
    await expect(resolveInWorkspace(ws, path.join(root, 'ws-evil/x'))).rejects.toMatchObject({
      code: 'PATH_OUTSIDE_WORKSPACE',
    });
  });

  it('refuses symlinks to files and directories outside, and paths through them', async () => {
    const { ws, outside } = await temp();
    await writeFile(path.join(outside, 'secret'), 's');
    await symlink(path.join(outside, 'secret'), path.join(ws, 'link'));
    await symlink(outside, path.join(ws, 'dirlink'));
    await expect(resolveInWorkspace(ws, 'link')).rejects.toBeInstanceOf(WorkspacePathError);
    await expect(resolveInWorkspace(ws, 'dirlink')).rejects.toBeInstanceOf(WorkspacePathError);
    await expect(resolveInWorkspace(ws, 'dirlink/secret')).rejects.toBeInstanceOf(WorkspacePathError);
    await expect(resolveInWorkspace(ws, 'dirlink/new-file')).rejects.toBeInstanceOf(WorkspacePathError);
  });

  it('refuses a dangling symlink (writing through it would create a file outside)', async () => {
    const { ws, outside } = await temp();
    await symlink(path.join(outside, 'not-yet'), path.join(ws, 'dangling'));
    await expect(resolveInWorkspace(ws, 'dangling')).rejects.toBeInstanceOf(WorkspacePathError);
  });

  it('follows symlinks that stay inside, returning the canonical target', async () => {
    const { ws } = await temp();
    await mkdir(path.join(ws, 'real'));
    await symlink(path.join(ws, 'real'), path.join(ws, 'alias'));
    expect(await resolveInWorkspace(ws, 'alias/f')).toBe(path.join(ws, 'real/f'));
  });

  it('works when the workspace itself is reached through a symlink', async () => {
    const { ws, root } = await temp();
    await symlink(ws, path.join(root, 'ws-link'));
    const viaLink = path.join(root, 'ws-link');
    expect(await resolveInWorkspace(viaLink, path.join(viaLink, 'f'))).toBe(path.join(ws, 'f'));
    await expect(resolveInWorkspace(viaLink, '../outside')).rejects.toBeInstanceOf(WorkspacePathError);
  });

  it('refuses a NUL byte', async () => {
    const { ws } = await temp();
    await expect(resolveInWorkspace(ws, 'a\0b')).rejects.toBeInstanceOf(WorkspacePathError);
  });
});
