import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { ToolResult } from '@shoal/shared';
import { z } from 'zod';
import { openRegularFile, overwrite } from './regular-file.js';
import type { Tool, ToolContext } from './tool.js';
import { fsFailure, ToolFailure } from './tool-failure.js';
import { resolveWorkspacePath } from './workspace-path.js';
import { openForWrite } from './write-file.js';

export const EditFileParams = z.object({
  file_path: z.string().min(1).describe('Path of the file, relative to the workspace or absolute inside it'),
  old_string: z.string().describe('Exact text to replace; must occur exactly once unless replace_all is set'),
  new_string: z.string().describe('Replacement text'),
  replace_all: z.boolean().optional().describe('Replace every occurrence of old_string (default false)'),
});
export type EditFileParams = z.infer<typeof EditFileParams>;

function countOccurrences(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length)) n++;
  return n;
}

/**
 * `edit_file`: exact string replacement. `old_string` must occur exactly once (or `replace_all: true`);
 * zero or several occurrences fail and change nothing. An empty `old_string` creates a missing file (or
 * fills an empty one) with `new_string`. Identical old/new strings fail (nothing to do). The Edit result
 * carries the whole file before (`oldContent`, absent when created) and after (`newContent`).
 */
export function editFileTool(): Tool<EditFileParams> {
  return {
    name: 'edit_file',
    displayName: 'Edit File',
    description:
      'Replace an exact string in a file. old_string must match exactly once unless replace_all is true. ' +
      'With an empty old_string, creates the file with new_string.',
    params: EditFileParams,
    async run(params: EditFileParams, ctx: ToolContext): Promise<ToolResult> {
      const target = await resolveWorkspacePath(ctx.workspace, params.file_path);
      // The file is checked (regular, one link only) and edited through one handle (regular-file.ts).
      const existing = await openRegularFile(target.absolute, params.file_path, constants.O_RDWR).catch(
        (e: unknown) => (e instanceof ToolFailure && e.code === 'NOT_FOUND' ? undefined : Promise.reject(e)),
      );
      if (!existing) {
        if (params.old_string !== '') {
          throw new ToolFailure('NOT_FOUND', `${params.file_path}: no such file or directory`);
        }
        const { fh, created } = await openForWrite(target.absolute, params.file_path);
        return withHandle(fh, params.file_path, () => edit(fh, target.relative, params, created));
      }
      return withHandle(existing.fh, params.file_path, () =>
        edit(existing.fh, target.relative, params, false),
      );
    },
  };
}

async function withHandle<T>(fh: FileHandle, displayPath: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw fsFailure(e, displayPath);
  } finally {
    await fh.close();
  }
}

/** The edit itself on an open file; `created`: the file did not exist before this call. */
async function edit(
  fh: FileHandle,
  relative: string,
  params: EditFileParams,
  created: boolean,
): Promise<ToolResult> {
  const { file_path, old_string, new_string } = params;
  const old = created ? undefined : await fh.readFile('utf8');
  if (old === undefined || (old === '' && old_string === '')) {
    await overwrite(fh, new_string);
    return {
      type: 'Edit',
      filePath: relative,
      changesMade: true,
      fileCreated: old === undefined,
      ...(old === undefined ? {} : { oldContent: old }),
      newContent: new_string,
    };
  }
  if (old_string === '') {
    throw new ToolFailure('EDIT_AMBIGUOUS', `old_string is empty but ${file_path} is not empty`);
  }
  if (old_string === new_string) {
    throw new ToolFailure('EDIT_NOOP', 'old_string and new_string are identical; nothing to change');
  }
  const count = countOccurrences(old, old_string);
  if (count === 0) throw new ToolFailure('EDIT_NO_MATCH', `old_string was not found in ${file_path}`);
  if (count > 1 && !params.replace_all) {
    throw new ToolFailure(
      'EDIT_AMBIGUOUS',
      `old_string occurs ${count} times in ${file_path}; give more context or set replace_all`,
    );
  }
  // split/join, not String.replace: `$` sequences in new_string must stay literal.
  const updated = old.split(old_string).join(new_string);
  await overwrite(fh, updated);
  return {
    type: 'Edit',
    filePath: relative,
    changesMade: true,
    fileCreated: false,
    oldContent: old,
    newContent: updated,
  };
}
