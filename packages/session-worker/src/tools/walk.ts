import { opendir } from 'node:fs/promises';
import path from 'node:path';

/** Directories never descended into by glob/grep: VCS metadata and installed dependencies. */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set(['.git', 'node_modules']);

export interface WalkEntry {
  absolute: string;
  /** `/`-separated, relative to the walk's start. */
  relative: string;
  isDirectory: boolean;
}

/**
 * Depth-first walk of regular files and directories under `start` (sorted per directory). Symlinks are not
 * followed (no escapes, no loops); unreadable directories are skipped. Stops when the signal aborts.
 */
export async function* walk(start: string, signal: AbortSignal, rel = ''): AsyncGenerator<WalkEntry> {
  let names: { name: string; dir: boolean; file: boolean }[];
  try {
    const handle = await opendir(start);
    names = [];
    for await (const d of handle) names.push({ name: d.name, dir: d.isDirectory(), file: d.isFile() });
  } catch {
    return; // unreadable or vanished directory: nothing to list
  }
  names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const n of names) {
    if (signal.aborted) return;
    const relative = rel === '' ? n.name : `${rel}/${n.name}`;
    const absolute = path.join(start, n.name);
    if (n.dir) {
      if (SKIPPED_DIRS.has(n.name)) continue;
      yield { absolute, relative, isDirectory: true };
      yield* walk(absolute, signal, relative);
    } else if (n.file) {
      yield { absolute, relative, isDirectory: false };
    }
  }
}
