import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GREP_MAX_MATCHES } from './grep.js';
import { errOf, okResult, runTool } from './test-support/run-tool.js';
import { useTempWorkspace } from './test-support/temp-workspace.js';

const temp = useTempWorkspace();

describe('grep', () => {
  it('finds matching lines with line numbers and column ranges', async () => {
    const { ws } = await temp();
    await mkdir(path.join(ws, 'src'));
    await writeFile(path.join(ws, 'src/a.ts'), 'const foo = 1;\nbar();\nfoo();\n');
    await writeFile(path.join(ws, 'b.md'), 'no match\n');
    const r = await okResult('Search', runTool(ws, 'grep', { pattern: 'fo+' }));
    expect(r).toEqual({
      type: 'Search',
      matches: [
        { filePath: 'src/a.ts', lineNumber: 1, lineContent: 'const foo = 1;', columnRange: [6, 9] },
        { filePath: 'src/a.ts', lineNumber: 3, lineContent: 'foo();', columnRange: [0, 3] },
      ],
      totalFilesSearched: 2,
      searchCompleted: true,
    });
  });

  it('filters by include glob on the file name, and searches a single file', async () => {
    const { ws } = await temp();
    await mkdir(path.join(ws, 'd'));
    await writeFile(path.join(ws, 'd/a.ts'), 'hit\n');
    await writeFile(path.join(ws, 'd/a.js'), 'hit\n');
    const r = await okResult('Search', runTool(ws, 'grep', { pattern: 'hit', include: '*.ts' }));
    expect(r.matches.map((m) => m.filePath)).toEqual(['d/a.ts']);
    const one = await okResult('Search', runTool(ws, 'grep', { pattern: 'hit', path: 'd/a.js' }));
    expect(one.matches.map((m) => m.filePath)).toEqual(['d/a.js']);
  });

  it('skips binary files, node_modules and .git', async () => {
    const { ws } = await temp();
    await writeFile(path.join(ws, 'bin'), Buffer.concat([Buffer.from('hit'), Buffer.from([0])]));
    await mkdir(path.join(ws, 'node_modules'));
    await writeFile(path.join(ws, 'node_modules/x'), 'hit');
    await mkdir(path.join(ws, '.git'));
    await writeFile(path.join(ws, '.git/x'), 'hit');
    const r = await okResult('Search', runTool(ws, 'grep', { pattern: 'hit' }));
    expect(r.matches).toEqual([]);
  });

  it('caps matches and reports an incomplete search', async () => {
    const { ws } = await temp();
    await writeFile(path.join(ws, 'many'), 'x\n'.repeat(GREP_MAX_MATCHES + 10));
    const r = await okResult('Search', runTool(ws, 'grep', { pattern: 'x' }));
    expect(r.matches).toHaveLength(GREP_MAX_MATCHES);
    expect(r.searchCompleted).toBe(false);
  });

  it('an invalid regular expression is an Execution error', async () => {
    const { ws } = await temp();
    const e = await errOf(runTool(ws, 'grep', { pattern: '(' }));
    expect(e.type === 'Execution' && e.message).toContain('invalid regular expression');
  });

  it.each(['..', '/etc', 'out', 'a/../../outside'])('refuses to search %s', async (p) => {
    const { ws, outside } = await temp();
    await writeFile(path.join(outside, 'secret'), 'hit');
    await symlink(outside, path.join(ws, 'out'));
    const e = await errOf(runTool(ws, 'grep', { pattern: 'hit', path: p }));
    expect(e.type === 'Execution' && e.message).toContain('outside the workspace');
  });

  it('does not follow a symlink out during the walk', async () => {
    const { ws, outside } = await temp();
    await writeFile(path.join(outside, 'secret'), 'hit');
    await symlink(outside, path.join(ws, 'out'));
    await symlink(path.join(outside, 'secret'), path.join(ws, 'file-link'));
    expect((await okResult('Search', runTool(ws, 'grep', { pattern: 'hit' }))).matches).toEqual([]);
  });
});
