import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errOf, okResult, runTool } from './test-support/run-tool.js';
import { useTempWorkspace } from './test-support/temp-workspace.js';

const temp = useTempWorkspace();

/**
 * Red-team reproduction: `bash` (or anything else) makes a hard link inside the workspace to a file outside
 * it (`ln /outside/secret hardlink`). No path check can tell the two names apart, so the file tools refuse
 * regular files with more than one link, and nothing outside is read or changed.
 */
async function linkedWorkspace() {
  const { ws, outside } = await temp();
  const secret = path.join(outside, 'secret');
  await writeFile(secret, 'TOP SECRET\n');
  await link(secret, path.join(ws, 'hardlink'));
  return { ws, secret };
}
const refusal = /hardlink has 2 hard links; files with more than one link are refused/;

describe('hard links out of the workspace', () => {
  it('read_file refuses the file', async () => {
    const { ws } = await linkedWorkspace();
    const e = await errOf(runTool(ws, 'read_file', { file_path: 'hardlink' }));
    expect(e).toMatchObject({
      type: 'Execution',
      toolName: 'read_file',
      message: expect.stringMatching(refusal),
    });
  });

  it('write_file refuses it and leaves the outside file alone', async () => {
    const { ws, secret } = await linkedWorkspace();
    const e = await errOf(runTool(ws, 'write_file', { file_path: 'hardlink', content: 'pwned' }));
    expect(e).toMatchObject({ type: 'Execution', message: expect.stringMatching(refusal) });
    expect(await readFile(secret, 'utf8')).toBe('TOP SECRET\n');
  });

  it('edit_file refuses it and leaves the outside file alone', async () => {
    const { ws, secret } = await linkedWorkspace();
    const e = await errOf(
      runTool(ws, 'edit_file', { file_path: 'hardlink', old_string: 'TOP', new_string: 'NO' }),
    );
    expect(e).toMatchObject({ type: 'Execution', message: expect.stringMatching(refusal) });
    expect(await readFile(secret, 'utf8')).toBe('TOP SECRET\n');
  });

  it('grep refuses the file when named, and skips it in a directory search', async () => {
    const { ws } = await linkedWorkspace();
    await writeFile(path.join(ws, 'plain.txt'), 'SECRET too\n');
    const e = await errOf(runTool(ws, 'grep', { pattern: 'SECRET', path: 'hardlink' }));
    expect(e).toMatchObject({ type: 'Execution', message: expect.stringMatching(refusal) });
    const r = await okResult('Search', runTool(ws, 'grep', { pattern: 'SECRET' }));
    expect(r.matches.map((m) => m.filePath)).toEqual(['plain.txt']);
  });

  it('a file whose second link is gone again is served as usual', async () => {
    const { ws, secret } = await linkedWorkspace();
    await unlink(secret);
    const r = await okResult('FileContent', runTool(ws, 'read_file', { file_path: 'hardlink' }));
    expect(r.content).toBe('TOP SECRET');
  });
});
