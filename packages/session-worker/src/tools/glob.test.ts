import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errOf, okResult, runTool } from './test-support/run-tool.js';
import { useTempWorkspace } from './test-support/temp-workspace.js';

const temp = useTempWorkspace();

async function tree(ws: string, files: string[]): Promise<void> {
  for (const f of files) {
    await mkdir(path.dirname(path.join(ws, f)), { recursive: true });
    await writeFile(path.join(ws, f), f);
  }
}

describe('glob', () => {
  it('matches recursively with workspace-relative, sorted results', async () => {
    const { ws } = await temp();
    await tree(ws, ['a.ts', 'src/b.ts', 'src/deep/c.ts', 'src/d.js', 'node_modules/m.ts', '.git/x.ts']);
    const r = await okResult('Glob', runTool(ws, 'glob', { pattern: '**/*.ts' }));
    expect(r).toEqual({ type: 'Glob', pattern: '**/*.ts', matches: ['a.ts', 'src/b.ts', 'src/deep/c.ts'] });
  });

  it('anchors non-recursive patterns and honours path', async () => {
    const { ws } = await temp();
    await tree(ws, ['a.ts', 'src/b.ts', 'src/c.json']);
    expect((await okResult('Glob', runTool(ws, 'glob', { pattern: '*.ts' }))).matches).toEqual(['a.ts']);
    expect(
      (await okResult('Glob', runTool(ws, 'glob', { pattern: '*.{ts,json}', path: 'src' }))).matches,
    ).toEqual(['src/b.ts', 'src/c.json']);
    expect((await okResult('Glob', runTool(ws, 'glob', { pattern: 'src/*.json' }))).matches).toEqual([
      'src/c.json',
    ]);
    expect((await okResult('Glob', runTool(ws, 'glob', { pattern: 'missing/**/*' }))).matches).toEqual([]);
  });

  it('does not follow symlinks out of the workspace', async () => {
    const { ws, outside } = await temp();
    await writeFile(path.join(outside, 'secret.ts'), 's');
    await symlink(outside, path.join(ws, 'out'));
    expect((await okResult('Glob', runTool(ws, 'glob', { pattern: '**/*.ts' }))).matches).toEqual([]);
    expect((await errOf(runTool(ws, 'glob', { pattern: '*.ts', path: 'out' }))).type).toBe('Execution');
  });

  it.each([{ pattern: '*.ts', path: '..' }, { pattern: '../outside/*' }, { pattern: '/etc/*' }])(
    'refuses to search outside: %o',
    async (params) => {
      const { ws } = await temp();
      expect((await errOf(runTool(ws, 'glob', params))).type).toBe('Execution');
    },
  );
});
