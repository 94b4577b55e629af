import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ToolResult } from '@shoal/shared';
import { z } from 'zod';
import { compileGlob } from './glob-matcher.js';
import type { Tool, ToolContext } from './tool.js';
import { fsFailure, ToolFailure } from './tool-failure.js';
import { walk } from './walk.js';
import { relativeTo, resolveWorkspacePath } from './workspace-path.js';

export const GREP_MAX_MATCHES = 500;
/** Files larger than this are not searched. */
export const GREP_MAX_FILE_BYTES = 5 * 1024 * 1024;
/** Files searched at most per call (bounds the time one call can take on a huge tree). */
export const GREP_MAX_FILES = 20_000;
/** Matched lines are cut to this many characters. */
export const GREP_MAX_LINE_CHARS = 500;

export const GrepParams = z.object({
  pattern: z.string().min(1).describe('JavaScript regular expression searched for in each line'),
  path: z.string().optional().describe('File or directory to search (default: the workspace)'),
  include: z
    .string()
    .optional()
    .describe('Only search files whose name matches this glob, e.g. "*.{ts,tsx}"'),
});
export type GrepParams = z.infer<typeof GrepParams>;

type Match = { filePath: string; lineNumber: number; lineContent: string; columnRange?: [number, number] };

/**
 * `grep`: a JS RegExp tested line by line over the files under `path` (or that one file). Skips `.git`,
 * `node_modules`, files over GREP_MAX_FILE_BYTES and binary files (a NUL byte). `include` is a glob matched
 * against the file name, or against the path relative to `path` when it contains `/`. At most
 * GREP_MAX_MATCHES matches from at most GREP_MAX_FILES files; `searchCompleted` is false when a cap cut the
 * search short.
 * `columnRange` is the first match's [start, end) in UTF-16 code units.
 */
export function grepTool(): Tool<GrepParams> {
  return {
    name: 'grep',
    displayName: 'Grep',
    description: 'Search file contents in the workspace with a regular expression; returns matching lines.',
    params: GrepParams,
    async run(params: GrepParams, ctx: ToolContext): Promise<ToolResult> {
      let re: RegExp;
      try {
        re = new RegExp(params.pattern);
      } catch (e) {
        throw new ToolFailure('INVALID_PATTERN', `invalid regular expression: ${(e as Error).message}`);
      }
      const include = params.include ? compileGlob(params.include) : undefined;
      const includeByPath = params.include?.includes('/') ?? false;
      const shown = params.path ?? '.';
      const base = await resolveWorkspacePath(ctx.workspace, shown === '' ? '.' : shown);
      const st = await stat(base.absolute).catch((e: unknown) => Promise.reject(fsFailure(e, shown)));

      const files: AsyncIterable<{ absolute: string; relative: string }> = st.isDirectory()
        ? filesUnder(base.absolute, ctx.signal)
        : single(base.absolute, path.basename(base.absolute));
      const matches: Match[] = [];
      let searched = 0;
      let complete = true;
      outer: for await (const f of files) {
        if (include && !include.test(includeByPath ? f.relative : path.basename(f.relative))) continue;
        if (searched >= GREP_MAX_FILES) {
          complete = false;
          break;
        }
        const fst = await stat(f.absolute).catch(() => undefined); // vanished meanwhile: skip it
        if (!fst?.isFile() || fst.size > GREP_MAX_FILE_BYTES) continue;
        const buf = await readFile(f.absolute).catch(() => undefined);
        if (!buf || buf.subarray(0, 8192).includes(0)) continue;
        searched++;
        const lines = buf.toString('utf8').split(/\r?\n/);
        for (let i = 0; i < lines.length; i++) {
          const line = lines[i]!;
          const m = re.exec(line);
          if (!m) continue;
          if (matches.length >= GREP_MAX_MATCHES) {
            complete = false;
            break outer;
          }
          matches.push({
            filePath: relativeTo(base.root, f.absolute),
            lineNumber: i + 1,
            lineContent: line.length > GREP_MAX_LINE_CHARS ? line.slice(0, GREP_MAX_LINE_CHARS) : line,
            columnRange: [m.index, m.index + m[0].length],
          });
        }
      }
      if (ctx.signal.aborted) throw new ToolFailure('CANCELLED', 'grep was cancelled');
      return { type: 'Search', matches, totalFilesSearched: searched, searchCompleted: complete };
    },
  };
}

async function* filesUnder(
  dir: string,
  signal: AbortSignal,
): AsyncGenerator<{ absolute: string; relative: string }> {
  for await (const e of walk(dir, signal)) if (!e.isDirectory) yield e;
}

async function* single(
  absolute: string,
  relative: string,
): AsyncGenerator<{ absolute: string; relative: string }> {
  yield { absolute, relative };
}
