import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { ToolContext } from '../tool.js';

/**
 * Per-test temp dirs: `root` holds `ws` (the workspace) and `outside` (a sibling the tools must not reach).
 * Removed after each test.
 */
export function useTempWorkspace(): () => Promise<{ root: string; ws: string; outside: string }> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  return async () => {
    const root = await realpath(await mkdtemp(path.join(tmpdir(), 'shoal-tools-')));
    made.push(root);
    const ws = path.join(root, 'ws');
    const outside = path.join(root, 'outside');
    await mkdir(ws);
    await mkdir(outside);
    return { root, ws, outside };
  };
}

export const ctxFor = (
  workspace: string,
  signal: AbortSignal = new AbortController().signal,
): ToolContext => ({
  workspace,
  signal,
});
