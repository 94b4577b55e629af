import { lstat, opendir } from 'node:fs/promises';
import path from 'node:path';
import type { ToolResult } from '@shoal/shared';
import { z } from 'zod';
import type { Tool, ToolContext } from './tool.js';
import { fsFailure, ToolFailure } from './tool-failure.js';
import { resolveWorkspacePath } from './workspace-path.js';

/** Entries one listing returns at most (sorted by name, so the cut is deterministic). */
export const LS_MAX_ENTRIES = 1000;

export const LsParams = z.object({
  path: z
    .string()
    .optional()
    .describe('Directory to list, relative to the workspace (default: the workspace)'),
});
export type LsParams = z.infer<typeof LsParams>;

/** `rwxr-xr-x` form of a mode's permission bits. */
export function permissionString(mode: number): string {
  const bits = 'rwxrwxrwx';
  let out = '';
  for (let i = 0; i < 9; i++) out += mode & (1 << (8 - i)) ? bits[i] : '-';
  return out;
}

/**
 * `ls`: the direct entries of a directory, sorted by name, as workspace-relative paths. Entries are lstat'ed:
 * a symlink is reported as itself (never followed), so listing reveals nothing outside the workspace.
 */
export function lsTool(): Tool<LsParams> {
  return {
    name: 'ls',
    displayName: 'List Directory',
    description: 'List the entries of a directory in the workspace (not recursive).',
    params: LsParams,
    async run(params: LsParams, ctx: ToolContext): Promise<ToolResult> {
      const shown = params.path ?? '.';
      const dir = await resolveWorkspacePath(ctx.workspace, shown === '' ? '.' : shown);
      const names: string[] = [];
      try {
        const handle = await opendir(dir.absolute);
        for await (const d of handle) names.push(d.name);
      } catch (e) {
        throw fsFailure(e, shown);
      }
      names.sort();
      const entries = [];
      for (const name of names.slice(0, LS_MAX_ENTRIES)) {
        if (ctx.signal.aborted) throw new ToolFailure('CANCELLED', 'ls was cancelled');
        const abs = path.join(dir.absolute, name);
        const rel = dir.relative === '.' ? name : `${dir.relative}/${name}`;
        const st = await lstat(abs).catch(() => undefined); // vanished meanwhile: skip it
        if (!st) continue;
        entries.push({
          path: rel,
          isDirectory: st.isDirectory(),
          ...(st.isFile() ? { size: st.size } : {}),
          permissions: permissionString(st.mode),
        });
      }
      return { type: 'FileList', entries, basePath: dir.relative };
    },
  };
}
