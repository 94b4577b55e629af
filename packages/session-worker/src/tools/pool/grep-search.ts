import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { RE2JS } from 're2js';
import { compilePathGlob } from '../glob-matcher.js';
import { HardLinkedFileError } from '../regular-file.js';
import { fsFailure, ToolFailure } from '../tool-failure.js';
import { relativeTo } from '../workspace-path.js';
import type { GrepOutput, GrepTask } from './tool-task.js';
import { crawl } from './workspace-crawl.js';

export const GREP_MAX_MATCHES = 500;
/** Files larger than this are not searched. */
export const GREP_MAX_FILE_BYTES = 5 * 1024 * 1024;
/** Files searched at most per call (bounds the time one call can take on a huge tree). */
export const GREP_MAX_FILES = 20_000;
/** Directory entries walked at most per call. */
export const GREP_MAX_VISITED = 200_000;
/** Matched lines are cut to this many characters. */
export const GREP_MAX_LINE_CHARS = 500;
const BINARY_SNIFF_BYTES = 8192;

type Match = GrepOutput['matches'][number];

/**
 * Compiles a grep pattern written in JavaScript syntax for RE2 (re2js): matching takes time linear in the
 * line, so `^(a+)+$` cannot backtrack for minutes. Lookaround and backreferences have no linear-time
 * implementation and are refused.
 */
export function compileGrepPattern(pattern: string): RE2JS {
  try {
    return RE2JS.compile(RE2JS.translateRegExp(pattern));
  } catch (e) {
    throw new ToolFailure(
      'INVALID_PATTERN',
      `invalid regular expression (RE2 syntax: no lookaround or backreferences): ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/**
 * The content of a file worth searching, or undefined to skip it: not a regular file (or a symlink put in
 * place meanwhile), larger than GREP_MAX_FILE_BYTES, binary (a NUL in its first 8 KiB), vanished, or hard
 * linked. `explicit` (the model named this one file) turns the hard link into a HARD_LINKED failure.
 */
async function searchable(absolute: string, display: string, explicit: boolean): Promise<Buffer | undefined> {
  const fh = await open(absolute, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
    (e: unknown) => (explicit ? Promise.reject(fsFailure(e, display)) : undefined),
  );
  if (!fh) return undefined;
  try {
    const st = await fh.stat();
    if (!st.isFile()) {
      if (explicit) throw new ToolFailure('NOT_A_FILE', `${display} is not a regular file`);
      return undefined;
    }
    if (st.nlink > 1) {
      if (explicit) throw new HardLinkedFileError(display, st.nlink);
      return undefined;
    }
    if (st.size > GREP_MAX_FILE_BYTES) return undefined;
    const buf = await fh.readFile();
    return buf.subarray(0, BINARY_SNIFF_BYTES).includes(0) ? undefined : buf;
  } finally {
    await fh.close();
  }
}

/**
 * The pool half of `grep` (see grep.ts): walks `base` (or reads that one file), tests each line with RE2,
 * and reports workspace-relative paths. Caps: GREP_MAX_MATCHES, GREP_MAX_FILES, GREP_MAX_VISITED.
 */
export async function grepSearch(task: GrepTask): Promise<GrepOutput> {
  const re = compileGrepPattern(task.pattern);
  const include = task.include ? compilePathGlob(task.include) : undefined;
  const includeByPath = task.include?.includes('/') ?? false;
  let complete = true;
  let files: string[];
  if (task.baseIsFile) files = [task.base];
  else {
    const listed = await crawl(task.root, task.base, { onlyFiles: true, maxEntries: GREP_MAX_VISITED });
    files = listed.paths;
    complete = listed.complete;
  }
  const matches: Match[] = [];
  let searched = 0;
  outer: for (const absolute of files) {
    const underBase = task.baseIsFile ? path.basename(absolute) : relativeTo(task.base, absolute);
    if (include && !include.test(includeByPath ? underBase : path.basename(absolute))) continue;
    if (searched >= GREP_MAX_FILES) {
      complete = false;
      break;
    }
    const filePath = relativeTo(task.root, absolute);
    const buf = await searchable(absolute, filePath, task.baseIsFile);
    if (!buf) continue;
    searched++;
    const lines = buf.toString('utf8').split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const m = re.matcher(line);
      if (!m.find()) continue;
      if (matches.length >= GREP_MAX_MATCHES) {
        complete = false;
        break outer;
      }
      matches.push({
        filePath,
        lineNumber: i + 1,
        lineContent: line.length > GREP_MAX_LINE_CHARS ? line.slice(0, GREP_MAX_LINE_CHARS) : line,
        columnRange: [m.start(), m.end()],
      });
    }
  }
  return { kind: 'grep', matches, totalFilesSearched: searched, searchCompleted: complete };
}
