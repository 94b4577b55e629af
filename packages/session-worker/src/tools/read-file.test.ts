import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errOf, okResult, runTool } from './test-support/run-tool.js';
import { useTempWorkspace } from './test-support/temp-workspace.js';

const temp = useTempWorkspace();
const lines = (n: number): string => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join('\n');

describe('read_file', () => {
  it('returns the content of a small file', async () => {
    const { ws } = await temp();
    await writeFile(path.join(ws, 'a.txt'), 'one\ntwo\n');
    const r = await okResult('FileContent', runTool(ws, 'read_file', { file_path: 'a.txt' }));
    expect(r).toEqual({
      type: 'FileContent',
      filePath: 'a.txt',
      content: 'one\ntwo',
      lineCount: 2,
      truncated: false,
    });
  });

  it('windows by 1-based offset and limit, flagging more lines', async () => {
    const { ws } = await temp();
    await writeFile(path.join(ws, 'a.txt'), lines(10));
    const r = await okResult(
      'FileContent',
      runTool(ws, 'read_file', { file_path: 'a.txt', offset: 3, limit: 2 }),
    );
    expect(r).toMatchObject({ content: 'line 3\nline 4', lineCount: 2, truncated: true });
    const end = await okResult(
      'FileContent',
      runTool(ws, 'read_file', { file_path: 'a.txt', offset: 9, limit: 5 }),
    );
    expect(end).toMatchObject({ content: 'line 9\nline 10', lineCount: 2, truncated: false });
  });

  it('defaults to 2000 lines', async () => {
    const { ws } = await temp();
    await writeFile(path.join(ws, 'big.txt'), lines(2500));
    const r = await okResult('FileContent', runTool(ws, 'read_file', { file_path: 'big.txt' }));
    expect(r.lineCount).toBe(2000);
    expect(r.truncated).toBe(true);
  });

  it('reads by absolute path inside the workspace', async () => {
    const { ws } = await temp();
    await writeFile(path.join(ws, 'a.txt'), 'x');
    const r = await okResult('FileContent', runTool(ws, 'read_file', { file_path: path.join(ws, 'a.txt') }));
    expect(r.content).toBe('x');
  });

  it('fails on a missing file, a directory, and a binary file', async () => {
    const { ws } = await temp();
    await writeFile(path.join(ws, 'bin'), Buffer.from([1, 0, 2]));
    expect(await errOf(runTool(ws, 'read_file', { file_path: 'nope' }))).toMatchObject({
      type: 'Execution',
      toolName: 'read_file',
      message: expect.stringContaining('no such file'),
    });
    expect((await errOf(runTool(ws, 'read_file', { file_path: '.' }))).type).toBe('Execution');
    expect(await errOf(runTool(ws, 'read_file', { file_path: 'bin' }))).toMatchObject({
      message: expect.stringContaining('binary'),
    });
  });

  it.each(['../outside/secret', '/etc/passwd', 'a/../../outside/secret', 'link', 'dirlink/secret'])(
    'refuses to read %s outside the workspace',
    async (p) => {
      const { ws, outside } = await temp();
      await writeFile(path.join(outside, 'secret'), 'top secret');
      await symlink(path.join(outside, 'secret'), path.join(ws, 'link'));
      await symlink(outside, path.join(ws, 'dirlink'));
      const e = await errOf(runTool(ws, 'read_file', { file_path: p }));
      expect(e).toMatchObject({ type: 'Execution', toolName: 'read_file' });
      expect(e.type === 'Execution' && e.message).toContain('outside the workspace');
    },
  );
});
