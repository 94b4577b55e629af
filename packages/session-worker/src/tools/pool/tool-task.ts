import { z } from 'zod';
import { TOOL_FAILURE_CODES } from '../tool-failure.js';

/*
 * The CPU- and I/O-heavy, stateless halves of `grep` and `glob`, as plain data: the shard resolves and
 * confines the paths, a tool-pool thread does the walk and the matching (see tool-pool.ts). All paths are
 * canonical and absolute; `root` is the workspace's realpath, and nothing outside it is ever reported.
 */

export const GrepTask = z.object({
  kind: z.literal('grep'),
  root: z.string().min(1),
  /** the file, or the directory whose files are searched */
  base: z.string().min(1),
  baseIsFile: z.boolean(),
  pattern: z.string().min(1),
  include: z.string().optional(),
});
export type GrepTask = z.infer<typeof GrepTask>;

export const GlobTask = z.object({
  kind: z.literal('glob'),
  root: z.string().min(1),
  /** the directory the pattern is relative to */
  base: z.string().min(1),
  /** where the walk starts: `base` or the pattern's literal prefix below it */
  start: z.string().min(1),
  pattern: z.string().min(1),
  /** directory levels below `start` worth walking (absent: unlimited, the pattern has `**`) */
  deep: z.number().int().positive().optional(),
});
export type GlobTask = z.infer<typeof GlobTask>;

export const ToolTask = z.discriminatedUnion('kind', [GrepTask, GlobTask]);
export type ToolTask = z.infer<typeof ToolTask>;

const SearchMatch = z.object({
  filePath: z.string(),
  lineNumber: z.number().int().positive(),
  lineContent: z.string(),
  columnRange: z.tuple([z.number().int(), z.number().int()]).optional(),
});

export const GrepOutput = z.object({
  kind: z.literal('grep'),
  matches: z.array(SearchMatch),
  totalFilesSearched: z.number().int().nonnegative(),
  searchCompleted: z.boolean(),
});
export type GrepOutput = z.infer<typeof GrepOutput>;

export const GlobOutput = z.object({ kind: z.literal('glob'), matches: z.array(z.string()) });
export type GlobOutput = z.infer<typeof GlobOutput>;

export type ToolTaskOutput<T extends ToolTask = ToolTask> = T extends GrepTask ? GrepOutput : GlobOutput;

/** What a task returns across threads: its output, or the ToolFailure it ended with (code + message). */
export const ToolTaskOutcome = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), output: z.discriminatedUnion('kind', [GrepOutput, GlobOutput]) }),
  z.object({ ok: z.literal(false), code: z.enum(TOOL_FAILURE_CODES), message: z.string() }),
]);
export type ToolTaskOutcome = z.infer<typeof ToolTaskOutcome>;

/**
 * Runs tool tasks off the calling thread. `run` resolves with the task's output or rejects with a
 * ToolFailure: the task's own, `TOOL_POOL_BUSY` (queue full), `TIMEOUT` (time budget spent) or `CANCELLED`
 * (the signal aborted; the task is stopped, not left running).
 */
export interface ToolTaskRunner {
  run<T extends ToolTask>(task: T, signal: AbortSignal): Promise<ToolTaskOutput<T>>;
}
