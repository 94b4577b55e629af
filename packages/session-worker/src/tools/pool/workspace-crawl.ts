import { type Dirent, readdir } from 'node:fs';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { isWithin } from '../workspace-path.js';

/** Directories never descended into by glob/grep: VCS metadata and installed dependencies. */
export const SKIPPED_DIRS: readonly string[] = ['.git', 'node_modules'];
const IGNORE = SKIPPED_DIRS.flatMap((d) => [`**/${d}`, `**/${d}/**`]);

export interface CrawlOptions {
  /** files only, or files and directories */
  onlyFiles: boolean;
  /** directory levels below `start` to visit (absent: all) */
  deep?: number;
  /** directory entries read at most; the crawl stops (incomplete) past it */
  maxEntries: number;
}

export interface Crawl {
  /** canonical absolute paths under `start`, all inside `root`, sorted */
  paths: string[];
  /** false when `maxEntries` cut the crawl short */
  complete: boolean;
}

type ReaddirCallback = (err: NodeJS.ErrnoException | null, entries: Dirent[]) => void;

/**
 * Lists what lies under `start` (a canonical directory inside `root`) with tinyglobby. Symbolic links are
 * neither followed nor listed (`followSymbolicLinks: false`), so the walk cannot leave the workspace or loop;
 * `.git` and `node_modules` are skipped; unreadable directories are skipped. Every path is checked to lie
 * inside `root` before it is returned. Matching is left to the caller (glob-matcher.ts, linear time): the
 * library's own matcher backtracks.
 */
export async function crawl(root: string, start: string, options: CrawlOptions): Promise<Crawl> {
  const stop = new AbortController();
  let entries = 0;
  // Counting what each readdir returns bounds the crawl of a huge tree (the library returns one array).
  // fdir calls its `readdir` only as (path, { withFileTypes: true }, callback); this is that one overload.
  const countingReaddir = ((dir: string, opts: { withFileTypes: true }, cb: ReaddirCallback): void => {
    readdir(dir, opts, (err, found) => {
      entries += found?.length ?? 0;
      if (entries > options.maxEntries) stop.abort();
      cb(err, found ?? []);
    });
  }) as typeof readdir;
  const found = await glob('**', {
    cwd: start,
    dot: true,
    followSymbolicLinks: false,
    onlyFiles: options.onlyFiles,
    expandDirectories: false,
    ignore: IGNORE,
    ...(options.deep === undefined ? {} : { deep: options.deep }),
    signal: stop.signal,
    fs: { readdir: countingReaddir },
  });
  const paths: string[] = [];
  for (const rel of found) {
    const absolute = path.join(start, rel.endsWith('/') ? rel.slice(0, -1) : rel);
    if (absolute !== start && isWithin(root, absolute)) paths.push(absolute);
  }
  paths.sort();
  return { paths, complete: !stop.signal.aborted };
}
