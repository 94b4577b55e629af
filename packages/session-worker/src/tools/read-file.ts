import type { FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { ToolResult } from '@shoal/shared';
import { z } from 'zod';
import { openRegularFile } from './regular-file.js';
import type { Tool, ToolContext } from './tool.js';
import { fsFailure, ToolFailure } from './tool-failure.js';
import { resolveWorkspacePath } from './workspace-path.js';

export const READ_DEFAULT_LIMIT = 2000;
export const READ_MAX_LINE_CHARS = 2000;
/** Characters of content one call returns at most; the rest is reported as truncated. */
export const READ_MAX_CHARS = 256 * 1024;
const BINARY_SNIFF_BYTES = 8192;

export const ReadFileParams = z.object({
  file_path: z.string().min(1).describe('Path of the file, relative to the workspace or absolute inside it'),
  offset: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe('1-based line number to start reading at (default 1)'),
  limit: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(`Maximum number of lines to return (default ${READ_DEFAULT_LIMIT})`),
});
export type ReadFileParams = z.infer<typeof ReadFileParams>;

/** A file whose first bytes contain a NUL is treated as binary. */
export async function looksBinary(fh: FileHandle): Promise<boolean> {
  const buf = Buffer.alloc(BINARY_SNIFF_BYTES);
  const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
  return buf.subarray(0, bytesRead).includes(0);
}

/**
 * `read_file`: a window of lines (`offset` is 1-based, `limit` lines). Streams the file, so reading the start
 * of a huge file is cheap. `truncated` is set when lines exist past the window, a line was cut at
 * READ_MAX_LINE_CHARS, or the READ_MAX_CHARS budget ended the window early. `lineCount` counts the returned lines.
 */
export function readFileTool(): Tool<ReadFileParams> {
  return {
    name: 'read_file',
    displayName: 'Read File',
    description:
      'Read a text file from the workspace. Returns up to `limit` lines starting at line `offset` (1-based).',
    params: ReadFileParams,
    async run(params: ReadFileParams, ctx: ToolContext): Promise<ToolResult> {
      const target = await resolveWorkspacePath(ctx.workspace, params.file_path);
      // The checks apply to the opened file itself: regular, one link only (regular-file.ts).
      const { fh } = await openRegularFile(target.absolute, params.file_path);
      if (await looksBinary(fh).catch((e: unknown) => fh.close().then(() => Promise.reject(e)))) {
        await fh.close();
        throw new ToolFailure('BINARY_FILE', `${params.file_path} is a binary file`);
      }
      const first = Math.max(1, params.offset ?? 1);
      const limit = params.limit ?? READ_DEFAULT_LIMIT;
      const stream = fh.createReadStream({ encoding: 'utf8', start: 0 }); // closes fh when done
      const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
      const lines: string[] = [];
      let truncated = false;
      let chars = 0;
      let lineNo = 0;
      try {
        for await (const raw of rl) {
          if (ctx.signal.aborted) throw new ToolFailure('CANCELLED', 'read_file was cancelled');
          lineNo++;
          if (lineNo < first) continue;
          if (lines.length >= limit || chars >= READ_MAX_CHARS) {
            truncated = true; // at least one more line exists beyond the window
            break;
          }
          let line = raw;
          if (line.length > READ_MAX_LINE_CHARS) {
            line = line.slice(0, READ_MAX_LINE_CHARS);
            truncated = true;
          }
          lines.push(line);
          chars += line.length + 1;
        }
      } catch (e) {
        throw fsFailure(e, params.file_path);
      } finally {
        rl.close();
        stream.destroy();
      }
      return {
        type: 'FileContent',
        filePath: target.relative,
        content: lines.join('\n'),
        lineCount: lines.length,
        truncated,
      };
    },
  };
}
