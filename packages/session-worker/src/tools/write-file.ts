import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ToolResult } from '@shoal/shared';
import { z } from 'zod';
import type { Tool, ToolContext } from './tool.js';
import { fsFailure, ToolFailure } from './tool-failure.js';
import { resolveWorkspacePath } from './workspace-path.js';

export const WriteFileParams = z.object({
  file_path: z.string().min(1).describe('Path of the file, relative to the workspace or absolute inside it'),
  content: z.string().describe('The complete new content of the file'),
});
export type WriteFileParams = z.infer<typeof WriteFileParams>;

/**
 * `write_file`: creates or overwrites a file, creating missing parent directories (all inside the workspace,
 * since the path was resolved there). `changesMade` is false when the file already had exactly this content.
 * The result carries no old/new content (the content is in the tool call already).
 */
export function writeFileTool(): Tool<WriteFileParams> {
  return {
    name: 'write_file',
    displayName: 'Write File',
    description: 'Create or overwrite a file in the workspace with the given content.',
    params: WriteFileParams,
    async run(params: WriteFileParams, ctx: ToolContext): Promise<ToolResult> {
      const target = await resolveWorkspacePath(ctx.workspace, params.file_path);
      const fail = (e: unknown) => Promise.reject(fsFailure(e, params.file_path));
      const existing = await stat(target.absolute).catch((e: unknown) =>
        (e as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : fail(e),
      );
      if (existing && !existing.isFile()) {
        throw new ToolFailure('NOT_A_FILE', `${params.file_path} exists and is not a regular file`);
      }
      if (existing && existing.size === Buffer.byteLength(params.content)) {
        const old = await readFile(target.absolute, 'utf8').catch(fail);
        if (old === params.content) {
          return { type: 'Edit', filePath: target.relative, changesMade: false, fileCreated: false };
        }
      }
      await mkdir(path.dirname(target.absolute), { recursive: true }).catch(fail);
      await writeFile(target.absolute, params.content, 'utf8').catch(fail);
      return { type: 'Edit', filePath: target.relative, changesMade: true, fileCreated: !existing };
    },
  };
}
