import { z } from 'zod';
import { LoadTestError } from './errors.js';
import { DEFAULT_MIX, TURN_KINDS, type TurnKind } from './mix.js';

const TurnMixSchema = z
  .partialRecord(z.enum(TURN_KINDS), z.number().min(0).max(1_000_000))
  .refine((mix) => Object.values(mix).some((w) => w !== undefined && w > 0), {
    message: 'at least one weight must be positive',
  });

/** Flags that configure the embedded runtime; a running host (`--target`) has its own. */
export const EMBEDDED_ONLY = [
  'shards',
  'durability',
  'store',
  'dataDir',
  'keep',
  'firstTokenMs',
  'tokensPerSecond',
  'logLevel',
] as const;

/**
 * Every option of a load run, with its default. The CLI flags are the kebab-case forms of these keys
 * (`turnTimeoutMs` ↔ `--turn-timeout-ms`); `runLoad` takes the same object.
 */
export const LoadOptionsObjectSchema = z
  .object({
    /** sessions to create and drive */
    sessions: z.number().int().min(1).max(1_000_000).default(1000),
    /** turns per session (default 5; with `--duration` alone, unbounded) */
    turns: z.number().int().min(1).max(100_000).optional(),
    /** closed loop: turns in flight at once (default: one per session) */
    concurrency: z.number().int().min(1).max(1_000_000).optional(),
    /** open loop: start this many turns per second on a fixed schedule */
    rate: z.number().positive().max(1_000_000).optional(),
    /** run for this many seconds (open loop: arrivals stop then; closed loop: no new turn starts) */
    duration: z.number().positive().max(86_400).optional(),
    /** create every session before the first turn (`upfront`) or at its first turn (`on-arrival`) */
    create: z.enum(['upfront', 'on-arrival']).default('upfront'),
    /** turn kinds by weight */
    mix: TurnMixSchema.default(DEFAULT_MIX),
    /** seeds the kind of every turn (same seed and mix, same turns) */
    seed: z.number().int().min(0).max(0xffff_ffff).default(1),
    /** how long the turn that `queue`, `dequeue` and `cancel` send input to keeps running (simulated sleep) */
    busyMs: z.number().int().min(1).max(600_000).default(400),
    /** extra tokens a `stream` turn asks the simulated model for */
    streamTokens: z.number().int().min(1).max(100_000).default(64),
    /** worker threads of the runtime (default: the runtime's own default, one per core; 0 = in-process) */
    shards: z.number().int().min(0).max(256).optional(),
    /** store durability (default fsync) */
    durability: z.enum(['fsync', 'buffered']).optional(),
    /** event store (default level) */
    store: z.enum(['level', 'memory']).optional(),
    /** where LevelDB and the session workspaces live (default: a fresh temp dir, removed at the end) */
    dataDir: z.string().min(1).optional(),
    /** keep the temp data dir instead of removing it */
    keep: z.boolean().default(false),
    /** simulated model: delay before the first token, in ms (default: instant) */
    firstTokenMs: z.number().min(0).max(600_000).optional(),
    /** simulated model: streaming speed (default: instant) */
    tokensPerSecond: z.number().positive().optional(),
    /** a turn that has not ended after this long counts as an error (it is cancelled, its session stops) */
    turnTimeoutMs: z.number().int().min(1).max(3_600_000).default(30_000),
    /** at the end, re-read every session's log and compare it with what was seen live */
    verify: z.boolean().default(true),
    /** write the machine-readable report here */
    json: z.string().min(1).optional(),
    /** write the self-contained HTML report here */
    html: z.string().min(1).optional(),
    /** drive a running host over HTTP instead of an embedded runtime */
    target: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
    /** the host API key (`Authorization: Bearer`), required with `target` */
    apiKey: z.string().min(1).optional(),
    /** no progress display, no status lines on stderr */
    quiet: z.boolean().default(false),
    /** log level of the embedded runtime (its logs go to stdout) */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  })
  .strict();

/** The options with the rules that tie flags together (`--target` needs `--api-key`, …). */
export const LoadOptionsSchema = LoadOptionsObjectSchema.superRefine((o, ctx) => {
  if (o.target !== undefined) {
    if (o.apiKey === undefined)
      ctx.addIssue({ code: 'custom', path: ['apiKey'], message: 'required with --target' });
    for (const key of EMBEDDED_ONLY) {
      const value = o[key];
      if (value !== undefined && value !== false) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'configures the embedded runtime; not with --target',
        });
      }
    }
  } else if (o.apiKey !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['apiKey'], message: 'only with --target' });
  }
  if (o.concurrency !== undefined && o.rate !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['concurrency'], message: 'closed loop only; not with --rate' });
  }
});

/** What callers pass (every field optional). */
export type LoadOptionsInput = z.input<typeof LoadOptionsSchema>;
/** The options with defaults filled in. */
export type LoadOptions = z.output<typeof LoadOptionsSchema>;

/** Turns per session when neither `--turns` nor `--duration` is given. */
export const DEFAULT_TURNS = 5;

/** How many turns the run plans; null when only `--duration` bounds it (closed loop). */
export function plannedTurns(o: LoadOptions): number | null {
  if (o.turns !== undefined) {
    const byTurns = o.sessions * o.turns;
    return o.rate !== undefined && o.duration !== undefined
      ? Math.min(byTurns, Math.floor(o.rate * o.duration))
      : byTurns;
  }
  if (o.duration === undefined) return o.sessions * DEFAULT_TURNS;
  return o.rate !== undefined ? Math.floor(o.rate * o.duration) : null;
}

export function mixKinds(o: LoadOptions): TurnKind[] {
  return TURN_KINDS.filter((k) => (o.mix[k] ?? 0) > 0);
}

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
