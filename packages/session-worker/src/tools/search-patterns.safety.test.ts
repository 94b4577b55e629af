import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errOf, okResult, runTool } from './test-support/run-tool.js';
import { useTempWorkspace } from './test-support/temp-workspace.js';

const temp = useTempWorkspace();

/*
 * Red-team reproductions: grep and glob are pre-approved, so a model can hand them any pattern. On a
 * backtracking engine on the shard's thread, these inputs stalled every session of the shard for minutes.
 * Each test fails by hanging (the vitest deadline) if the pattern runs on a backtracking engine anywhere.
 */
describe('grep: catastrophic backtracking', () => {
  it('^(a+)+$ against long lines of a… returns, and a tool call on the same thread completes too', async () => {
    const { ws } = await temp();
    await writeFile(path.join(ws, 'evil.txt'), `${'a'.repeat(64)}!\n`.repeat(200));
    await writeFile(path.join(ws, 'plain.txt'), 'hello\n');
    const [grep, ls] = await Promise.all([
      okResult('Search', runTool(ws, 'grep', { pattern: '^(a+)+$' })),
      okResult('FileList', runTool(ws, 'ls', {})),
    ]);
    expect(grep).toMatchObject({ matches: [], totalFilesSearched: 2, searchCompleted: true });
    expect(ls.entries.map((e) => e.path)).toEqual(['evil.txt', 'plain.txt']);
  });

  it('(x+x+)+y and nested quantifiers match with RE2 semantics', async () => {
    const { ws } = await temp();
    await writeFile(path.join(ws, 'f.txt'), `${'x'.repeat(5000)}\n${'x'.repeat(10)}y\n`);
    const r = await okResult('Search', runTool(ws, 'grep', { pattern: '(x+x+)+y' }));
    expect(r.matches).toEqual([
      { filePath: 'f.txt', lineNumber: 2, lineContent: `${'x'.repeat(10)}y`, columnRange: [0, 11] },
    ]);
  });

  it('lookaround and backreferences (no linear-time engine has them) are refused as invalid', async () => {
    const { ws } = await temp();
    for (const pattern of ['(?=a)a', '(a)\\1']) {
      const e = await errOf(runTool(ws, 'grep', { pattern }));
      expect(e.type === 'Execution' && e.message).toMatch(/invalid regular expression/);
    }
  });

  it('an include glob that backtracks for a picomatch/RegExp matcher is cheap too', async () => {
    const { ws } = await temp();
    await writeFile(path.join(ws, `${'a'.repeat(60)}`), 'hit\n');
    const include = `${'*a'.repeat(12)}*Z`;
    const r = await okResult('Search', runTool(ws, 'grep', { pattern: 'hit', include }));
    expect(r.matches).toEqual([]);
  });
});

describe('glob: catastrophic backtracking', () => {
  it.each([`${'*?'.repeat(12)}Z`, `${'*a'.repeat(12)}*Z`])(
    '%s against a 60-character name returns',
    async (pattern) => {
      const { ws } = await temp();
      await writeFile(path.join(ws, 'a'.repeat(60)), '');
      const [glob, ls] = await Promise.all([
        okResult('Glob', runTool(ws, 'glob', { pattern })),
        okResult('FileList', runTool(ws, 'ls', {})),
      ]);
      expect(glob.matches).toEqual([]);
      expect(ls.entries).toHaveLength(1);
    },
  );
});
