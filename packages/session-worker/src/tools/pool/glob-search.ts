import { compilePathGlob } from '../glob-matcher.js';
import { relativeTo } from '../workspace-path.js';
import type { GlobOutput, GlobTask } from './tool-task.js';
import { crawl } from './workspace-crawl.js';

export const GLOB_MAX_RESULTS = 1000;
/** Directory entries walked at most per call (bounds the time one call can take on a huge tree). */
export const GLOB_MAX_VISITED = 200_000;

/**
 * The pool half of `glob` (see glob.ts): walks from `start` and keeps the files and directories whose path
 * relative to `base` matches the pattern (linear-time matcher). Workspace-relative, sorted, at most
 * GLOB_MAX_RESULTS.
 */
export async function globSearch(task: GlobTask): Promise<GlobOutput> {
  const matcher = compilePathGlob(task.pattern);
  const { paths } = await crawl(task.root, task.start, {
    onlyFiles: false,
    maxEntries: GLOB_MAX_VISITED,
    ...(task.deep === undefined ? {} : { deep: task.deep }),
  });
  const matches: string[] = [];
  for (const absolute of paths) {
    if (!matcher.test(relativeTo(task.base, absolute))) continue;
    matches.push(relativeTo(task.root, absolute));
    if (matches.length >= GLOB_MAX_RESULTS) break;
  }
  return { kind: 'glob', matches };
}
