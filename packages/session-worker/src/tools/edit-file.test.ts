import { readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errOf, okResult, runTool } from './test-support/run-tool.js';
import { useTempWorkspace } from './test-support/temp-workspace.js';

const temp = useTempWorkspace();

describe('edit_file', () => {
  it('replaces a unique occurrence and returns old and new content', async () => {
    const { ws } = await temp();
    await writeFile(path.join(ws, 'f.ts'), 'const a = 1;\nconst b = 2;\n');
    const r = await okResult(
      'Edit',
      runTool(ws, 'edit_file', { file_path: 'f.ts', old_string: 'b = 2', new_string: 'b = $& 3' }),
    );
    expect(r).toEqual({
      type: 'Edit',
      filePath: 'f.ts',
      changesMade: true,
      fileCreated: false,
      oldContent: 'const a = 1;\nconst b = 2;\n',
      newContent: 'const a = 1;\nconst b = $& 3;\n',
    });
    expect(await readFile(path.join(ws, 'f.ts'), 'utf8')).toBe('const a = 1;\nconst b = $& 3;\n');
  });

  it('refuses an ambiguous match unless replace_all', async () => {
    const { ws } = await temp();
    await writeFile(path.join(ws, 'f'), 'x x x');
    const e = await errOf(runTool(ws, 'edit_file', { file_path: 'f', old_string: 'x', new_string: 'y' }));
    expect(e.type === 'Execution' && e.message).toContain('3 times');
    expect(await readFile(path.join(ws, 'f'), 'utf8')).toBe('x x x');
    await okResult(
      'Edit',
      runTool(ws, 'edit_file', { file_path: 'f', old_string: 'x', new_string: 'y', replace_all: true }),
    );
    expect(await readFile(path.join(ws, 'f'), 'utf8')).toBe('y y y');
  });

  it('fails when old_string is absent, or identical to new_string', async () => {
    const { ws } = await temp();
    await writeFile(path.join(ws, 'f'), 'abc');
    const none = await errOf(
      runTool(ws, 'edit_file', { file_path: 'f', old_string: 'zzz', new_string: 'y' }),
    );
    expect(none.type === 'Execution' && none.message).toContain('not found');
    const same = await errOf(runTool(ws, 'edit_file', { file_path: 'f', old_string: 'a', new_string: 'a' }));
    expect(same.type).toBe('Execution');
  });

  it('an empty old_string creates a missing file, but refuses a non-empty one', async () => {
    const { ws } = await temp();
    const r = await okResult(
      'Edit',
      runTool(ws, 'edit_file', { file_path: 'd/new.txt', old_string: '', new_string: 'hello' }),
    );
    expect(r).toMatchObject({ fileCreated: true, changesMade: true, newContent: 'hello' });
    expect(r.oldContent).toBeUndefined();
    expect(await readFile(path.join(ws, 'd/new.txt'), 'utf8')).toBe('hello');
    const e = await errOf(
      runTool(ws, 'edit_file', { file_path: 'd/new.txt', old_string: '', new_string: 'x' }),
    );
    expect(e.type).toBe('Execution');
  });

  it('a missing file with a non-empty old_string fails', async () => {
    const { ws } = await temp();
    const e = await errOf(runTool(ws, 'edit_file', { file_path: 'nope', old_string: 'a', new_string: 'b' }));
    expect(e.type === 'Execution' && e.message).toContain('no such file');
  });

  it.each(['../outside/t', 'link', 'dirlink/t'])('refuses to edit %s outside the workspace', async (p) => {
    const { ws, outside } = await temp();
    await writeFile(path.join(outside, 't'), 'original');
    await symlink(path.join(outside, 't'), path.join(ws, 'link'));
    await symlink(outside, path.join(ws, 'dirlink'));
    const e = await errOf(
      runTool(ws, 'edit_file', { file_path: p, old_string: 'original', new_string: 'pwned' }),
    );
    expect(e.type === 'Execution' && e.message).toContain('outside the workspace');
    expect(await readFile(path.join(outside, 't'), 'utf8')).toBe('original');
  });
});
