import { z } from 'zod';
import { LoadTestError } from './errors.js';

/** The conversation scripts a session can follow (see `scripts.ts`). */
export const ScriptNameSchema = z.enum(['echo', 'tools', 'mixed']);
export type ScriptName = z.infer<typeof ScriptNameSchema>;

/**
 * Every option of a load run, with its default. The CLI flags are the kebab-case forms of these keys
 * (`turnTimeoutMs` ↔ `--turn-timeout-ms`); `runLoad` takes the same object.
 */
export const LoadOptionsSchema = z
  .object({
    /** sessions to create and drive */
    sessions: z.number().int().min(1).max(1_000_000).default(1000),
    /** user turns per session */
    turns: z.number().int().min(1).max(100_000).default(5),
    /** sessions driven at once (default: all of them) */
    concurrency: z.number().int().min(1).max(1_000_000).optional(),
    /** worker threads of the runtime (default: the runtime's own default, one per core; 0 = in-process) */
    shards: z.number().int().min(0).max(256).optional(),
    durability: z.enum(['fsync', 'buffered']).default('fsync'),
    store: z.enum(['level', 'memory']).default('level'),
    /** where LevelDB and the session workspaces live (default: a fresh temp dir, removed at the end) */
    dataDir: z.string().min(1).optional(),
    /** keep the temp data dir instead of removing it */
    keep: z.boolean().default(false),
    script: ScriptNameSchema.default('mixed'),
    /** simulated model: delay before the first token, in ms (default: instant) */
    firstTokenMs: z.number().min(0).max(600_000).optional(),
    /** simulated model: streaming speed (default: instant) */
    tokensPerSecond: z.number().positive().optional(),
    /** a turn that has not ended after this long counts as an error (it is cancelled, its session stops) */
    turnTimeoutMs: z.number().int().min(1).max(3_600_000).default(30_000),
    /** write the machine-readable report here */
    json: z.string().min(1).optional(),
    /** drive a running host over HTTP instead of an embedded runtime (not available yet) */
    target: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
    /** no progress bar, no status lines on stderr */
    quiet: z.boolean().default(false),
    /** log level of the embedded runtime (its logs go to stdout) */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('error'),
  })
  .strict();

/** What callers pass (every field optional). */
export type LoadOptionsInput = z.input<typeof LoadOptionsSchema>;
/** The options with defaults filled in. */
export type LoadOptions = z.output<typeof LoadOptionsSchema>;

/** `turnTimeoutMs` → `--turn-timeout-ms` */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Validates options and fills in defaults; bad input throws `LoadTestError` `INVALID_OPTIONS` naming each flag. */
export function resolveLoadOptions(input: LoadOptionsInput = {}): LoadOptions {
  const parsed = LoadOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      if (issue.code === 'unrecognized_keys')
        return `unknown option(s) ${issue.keys.map(flagName).join(', ')}`;
      const key = issue.path[0];
      return typeof key === 'string' ? `${flagName(key)}: ${issue.message}` : issue.message;
    });
    throw new LoadTestError('INVALID_OPTIONS', problems.join('; '));
  }
  return parsed.data;
}
