import { stat } from 'node:fs/promises';
import type { ToolResult } from '@shoal/shared';
import { z } from 'zod';
import { literalPrefix } from './glob-matcher.js';
import { sharedToolPool } from './pool/shared-tool-pool.js';
import type { ToolTaskRunner } from './pool/tool-task.js';
import type { Tool, ToolContext } from './tool.js';
import { fsFailure, ToolFailure } from './tool-failure.js';
import { resolveWorkspacePath } from './workspace-path.js';

export { GLOB_MAX_RESULTS, GLOB_MAX_VISITED } from './pool/glob-search.js';

export const GlobParams = z.object({
  pattern: z.string().min(1).describe('Glob such as "**/*.ts" or "src/*.{js,json}", relative to path'),
  path: z.string().optional().describe('Directory to search from (default: the workspace)'),
});
export type GlobParams = z.infer<typeof GlobParams>;

/**
 * `glob`: files and directories under `path` whose path relative to `path` matches `pattern` (see
 * compilePathGlob). Here, on the shard's thread, `path` and the pattern's literal prefix are resolved and
 * confined to the workspace; the walk (tinyglobby, symlinks neither followed nor listed, `.git` and
 * `node_modules` skipped) and the matching run as a task on the tool pool (pool/glob-search.ts).
 */
export function globTool(pool?: ToolTaskRunner): Tool<GlobParams> {
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
      // Start at the literal prefix (resolved, so it is confined like any other path).
      const prefix = literalPrefix(pattern);
      const start = prefix === '' ? base : await resolveWorkspacePath(base.absolute, prefix);
      const startSt = await stat(start.absolute).catch(() => undefined);
      if (!startSt?.isDirectory()) return { type: 'Glob', matches: [], pattern: params.pattern };
      const below = pattern.split('/').length - (prefix === '' ? 0 : prefix.split('/').length);
      const out = await (pool ?? sharedToolPool()).run(
        {
          kind: 'glob',
          root: base.root,
          base: base.absolute,
          start: start.absolute,
          pattern,
          // Without `**` a match lies at most as many levels down as the pattern has segments.
          ...(pattern.includes('**') ? {} : { deep: Math.max(1, below) }),
        },
        ctx.signal,
      );
      return { type: 'Glob', matches: out.matches, pattern: params.pattern };
    },
  };
}
