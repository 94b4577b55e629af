import { constants } from 'node:fs';
import { type FileHandle, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ToolResult } from '@shoal/shared';
import { z } from 'zod';
import { createExclusive, openRegularFile, overwrite } from './regular-file.js';
import type { Tool, ToolContext } from './tool.js';
import { fsFailure } from './tool-failure.js';
import { resolveWorkspacePath } from './workspace-path.js';

export const WriteFileParams = z.object({
  file_path: z.string().min(1).describe('Path of the file, relative to the workspace or absolute inside it'),
  content: z.string().describe('The complete new content of the file'),
});
export type WriteFileParams = z.infer<typeof WriteFileParams>;

const isErrno = (e: unknown, code: string): boolean => (e as NodeJS.ErrnoException | null)?.code === code;

/**
 * Opens `absolute` for writing: creates it (and missing parents, all inside the workspace since the path
 * was resolved there) or opens the existing regular, singly linked file (regular-file.ts).
 */
export async function openForWrite(
  absolute: string,
  displayPath: string,
): Promise<{ fh: FileHandle; created: boolean; size: number }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return { fh: await createExclusive(absolute), created: true, size: 0 };
    } catch (e) {
      if (isErrno(e, 'ENOENT') && attempt === 0) {
        await mkdir(path.dirname(absolute), { recursive: true }).catch((me: unknown) =>
          Promise.reject(fsFailure(me, displayPath)),
        );
        continue;
      }
      if (!isErrno(e, 'EEXIST')) throw fsFailure(e, displayPath);
    }
    const { fh, stats } = await openRegularFile(absolute, displayPath, constants.O_RDWR);
    return { fh, created: false, size: stats.size };
  }
}

/**
 * `write_file`: creates or overwrites a file, creating missing parent directories. `changesMade` is false
 * when the file already had exactly this content. A hard-linked file is refused (HARD_LINKED): writing it
 * would change the other link's file, which may lie outside the workspace. The result carries no
 * old/new content (the content is in the tool call already).
 */
export function writeFileTool(): Tool<WriteFileParams> {
  return {
    name: 'write_file',
    displayName: 'Write File',
    description: 'Create or overwrite a file in the workspace with the given content.',
    params: WriteFileParams,
    async run(params: WriteFileParams, ctx: ToolContext): Promise<ToolResult> {
      const target = await resolveWorkspacePath(ctx.workspace, params.file_path);
      const { fh, created, size } = await openForWrite(target.absolute, params.file_path);
      try {
        if (!created && size === Buffer.byteLength(params.content)) {
          const old = await fh.readFile('utf8');
          if (old === params.content) {
            return { type: 'Edit', filePath: target.relative, changesMade: false, fileCreated: false };
          }
        }
        await overwrite(fh, params.content);
      } catch (e) {
        throw fsFailure(e, params.file_path);
      } finally {
        await fh.close();
      }
      return { type: 'Edit', filePath: target.relative, changesMade: true, fileCreated: created };
    },
  };
}
