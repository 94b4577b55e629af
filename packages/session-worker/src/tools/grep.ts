import { stat } from 'node:fs/promises';
import type { ToolResult } from '@shoal/shared';
import { z } from 'zod';
import { sharedToolPool } from './pool/shared-tool-pool.js';
import type { ToolTaskRunner } from './pool/tool-task.js';
import type { Tool, ToolContext } from './tool.js';
import { fsFailure } from './tool-failure.js';
import { resolveWorkspacePath } from './workspace-path.js';

export {
  GREP_MAX_FILE_BYTES,
  GREP_MAX_FILES,
  GREP_MAX_LINE_CHARS,
  GREP_MAX_MATCHES,
  GREP_MAX_VISITED,
} from './pool/grep-search.js';

export const GrepParams = z.object({
  pattern: z
    .string()
    .min(1)
    .describe(
      'Regular expression (JavaScript syntax, without lookaround or backreferences) searched for in each line',
    ),
  path: z.string().optional().describe('File or directory to search (default: the workspace)'),
  include: z
    .string()
    .optional()
    .describe('Only search files whose name matches this glob, e.g. "*.{ts,tsx}"'),
});
export type GrepParams = z.infer<typeof GrepParams>;

/**
 * `grep`: a regular expression tested line by line over the files under `path` (or that one file). Here,
 * on the shard's thread, the path is resolved and confined to the workspace; the walk, the reads and the
 * matching run as a task on the tool pool (pool/grep-search.ts), with RE2 semantics, so no pattern can
 * stall the shard. `pool` defaults to the process's shared pool.
 */
export function grepTool(pool?: ToolTaskRunner): Tool<GrepParams> {
  return {
    name: 'grep',
    displayName: 'Grep',
    description: 'Search file contents in the workspace with a regular expression; returns matching lines.',
    params: GrepParams,
    async run(params: GrepParams, ctx: ToolContext): Promise<ToolResult> {
      const shown = params.path ?? '.';
      const base = await resolveWorkspacePath(ctx.workspace, shown === '' ? '.' : shown);
      const st = await stat(base.absolute).catch((e: unknown) => Promise.reject(fsFailure(e, shown)));
      const out = await (pool ?? sharedToolPool()).run(
        {
          kind: 'grep',
          root: base.root,
          base: base.absolute,
          baseIsFile: !st.isDirectory(),
          pattern: params.pattern,
          ...(params.include === undefined ? {} : { include: params.include }),
        },
        ctx.signal,
      );
      return {
        type: 'Search',
        matches: out.matches,
        totalFilesSearched: out.totalFilesSearched,
        searchCompleted: out.searchCompleted,
      };
    },
  };
}
