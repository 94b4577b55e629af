import { stat } from 'node:fs/promises';
import type { ToolResult } from '@shoal/shared';
import { z } from 'zod';
import { compileGlob, literalPrefix } from './glob-matcher.js';
import type { Tool, ToolContext } from './tool.js';
import { fsFailure, ToolFailure } from './tool-failure.js';
import { walk } from './walk.js';
import { resolveWorkspacePath } from './workspace-path.js';

export const GLOB_MAX_RESULTS = 1000;
/** Entries visited at most per call (bounds the time one call can take on a huge tree). */
export const GLOB_MAX_VISITED = 200_000;

export const GlobParams = z.object({
  pattern: z.string().min(1).describe('Glob such as "**/*.ts" or "src/*.{js,json}", relative to path'),
  path: z.string().optional().describe('Directory to search from (default: the workspace)'),
});
export type GlobParams = z.infer<typeof GlobParams>;

/**
 * `glob`: files and directories under `path` whose path relative to `path` matches `pattern` (see
 * compileGlob). Results are workspace-relative, sorted, at most GLOB_MAX_RESULTS (from at most
 * GLOB_MAX_VISITED entries walked); `.git` and `node_modules`
 * are skipped and symlinks are not followed. The walk starts at the pattern's literal prefix.
 */
export function globTool(): Tool<GlobParams> {
  return {
    name: 'glob',
    displayName: 'Glob',
    description: 'Find files in the workspace by glob pattern (e.g. "**/*.ts").',
    params: GlobParams,
    async run(params: GlobParams, ctx: ToolContext): Promise<ToolResult> {
      const shown = params.path ?? '.';
      const base = await resolveWorkspacePath(ctx.workspace, shown === '' ? '.' : shown);
      const st = await stat(base.absolute).catch((e: unknown) => Promise.reject(fsFailure(e, shown)));
      if (!st.isDirectory()) throw new ToolFailure('NOT_A_DIRECTORY', `${shown} is not a directory`);
      const pattern = params.pattern.replace(/^\.\//, '');
      if (pattern.startsWith('/') || pattern.split('/').includes('..')) {
        throw new ToolFailure('INVALID_PATTERN', 'glob patterns are relative to path and may not contain ..');
      }
      const re = compileGlob(pattern);
      // Start at the literal prefix (resolved, so it is confined like any other path).
      const prefix = literalPrefix(pattern);
      const start = prefix === '' ? base : await resolveWorkspacePath(base.absolute, prefix);
      const startSt = await stat(start.absolute).catch(() => undefined);
      const matches: string[] = [];
      if (startSt?.isDirectory()) {
        let visited = 0;
        for await (const e of walk(start.absolute, ctx.signal, prefix)) {
          if (++visited > GLOB_MAX_VISITED) break;
          if (re.test(e.relative)) {
            matches.push(base.relative === '.' ? e.relative : `${base.relative}/${e.relative}`);
            if (matches.length >= GLOB_MAX_RESULTS) break;
          }
        }
      }
      if (ctx.signal.aborted) throw new ToolFailure('CANCELLED', 'glob was cancelled');
      return { type: 'Glob', matches, pattern: params.pattern };
    },
  };
}
