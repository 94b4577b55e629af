import { availableParallelism } from 'node:os';
import { isAbsolute } from 'node:path';
import { DEFAULT_SHARD_LIMITS } from '@shoal/session-worker';
import { z } from 'zod';
import { ClusterOptionsSchema } from '../cluster/cluster-options.js';

const hosted = z
  .object({
    apiKey: z.string().optional(),
    baseURL: z.string().url().optional(),
    maxRetries: z.number().int().min(0).max(10).optional(),
    timeoutMs: z.number().int().positive().optional(),
  })
  .strict();

function noNul(s: string): boolean {
  return !s.includes('\0');
}

/** 1 MiB: a caller's single input. */
const DEFAULT_INPUT_BYTES = 1024 * 1024;
/** api.md `RuntimeOptions`, plus `limits` and `snapshotEveryEvents` where api.md is silent. */
export const RuntimeOptionsSchema = z
  .object({
    dataDir: z.string().min(1).refine(noNul, 'must not contain NUL characters').default('./.shoal'),
    /**
     * Absolute directories every caller-chosen session workspace must lie strictly inside (symbolic links
     * resolved); default `[<dataDir>/workspaces]`. Missing ones are created at start.
     */
    workspaceRoots: z
      .array(
        z
          .string()
          .refine(noNul, 'must not contain NUL characters')
          .refine((p) => isAbsolute(p), 'must be an absolute path'),
      )
      .min(1)
      .optional(),
    store: z.enum(['level', 'memory', 'postgres']).default('level'),
    postgres: z
      .object({ connectionString: z.string().min(1) })
      .strict()
      .optional(),
    cluster: ClusterOptionsSchema.optional(),
    durability: z.enum(['fsync', 'buffered']).default('fsync'),
    shards: z.number().int().min(0).max(256).optional(),
    providers: z
      .object({
        simulated: z
          .object({
            firstTokenMs: z.number().min(0).optional(),
            tokensPerSecond: z.number().positive().optional(),
            contextWindowTokens: z.number().int().positive().optional(),
            maxOutputTokens: z.number().int().positive().optional(),
          })
          .strict()
          .optional(),
        anthropic: hosted.optional(),
        openai: hosted.optional(),
      })
      .strict()
      .default({}),
    idleTimeoutMs: z.number().int().min(0).default(300_000),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    limits: z
      .object({
        maxPendingPerSession: z.number().int().positive().default(DEFAULT_SHARD_LIMITS.maxPendingPerSession),
        maxPendingPerShard: z.number().int().positive().default(DEFAULT_SHARD_LIMITS.maxPendingPerShard),
        /** live events buffered per event subscriber before it is caught up from the store instead */
        eventBufferPerSubscriber: z.number().int().positive().default(256),
        /** deltas buffered per delta subscriber before `Lagged` replaces what it missed */
        deltaBufferPerSubscriber: z.number().int().positive().default(1024),
        /** a caller's input (message content, bash command, action, session config); more is INVALID_INPUT */
        maxInputBytes: z.number().int().positive().default(DEFAULT_INPUT_BYTES),
        /** a model reply; a larger one ends its turn with a model error and is not stored */
        maxMessageBytes: z.number().int().positive().default(DEFAULT_SHARD_LIMITS.maxMessageBytes),
        /** one tool result; a larger one becomes a tool error */
        maxToolOutputBytes: z.number().int().positive().default(DEFAULT_SHARD_LIMITS.maxToolOutputBytes),
        /** one stored event; an action whose event would be larger fails and stores nothing */
        maxEventBytes: z.number().int().positive().default(DEFAULT_SHARD_LIMITS.maxEventBytes),
        /** items waiting in a busy session's queue; more are OVERLOADED (kind QueueFull) */
        maxQueuedInputs: z.number().int().positive().default(DEFAULT_SHARD_LIMITS.maxQueuedInputs),
        /** total size of a busy session's queued content; more is OVERLOADED (kind QueueFull) */
        maxQueuedBytes: z.number().int().positive().default(DEFAULT_SHARD_LIMITS.maxQueuedBytes),
      })
      .strict()
      .refine(
        (l) =>
          l.maxInputBytes < l.maxEventBytes &&
          l.maxMessageBytes < l.maxEventBytes &&
          l.maxToolOutputBytes < l.maxEventBytes &&
          l.maxQueuedBytes < l.maxEventBytes,
        'maxInputBytes, maxMessageBytes, maxToolOutputBytes and maxQueuedBytes must be below maxEventBytes',
      )
      .default({
        maxPendingPerSession: DEFAULT_SHARD_LIMITS.maxPendingPerSession,
        maxPendingPerShard: DEFAULT_SHARD_LIMITS.maxPendingPerShard,
        eventBufferPerSubscriber: 256,
        deltaBufferPerSubscriber: 1024,
        maxInputBytes: DEFAULT_INPUT_BYTES,
        maxMessageBytes: DEFAULT_SHARD_LIMITS.maxMessageBytes,
        maxToolOutputBytes: DEFAULT_SHARD_LIMITS.maxToolOutputBytes,
        maxEventBytes: DEFAULT_SHARD_LIMITS.maxEventBytes,
        maxQueuedInputs: DEFAULT_SHARD_LIMITS.maxQueuedInputs,
        maxQueuedBytes: DEFAULT_SHARD_LIMITS.maxQueuedBytes,
      }),
    snapshotEveryEvents: z.number().int().positive().default(DEFAULT_SHARD_LIMITS.snapshotEveryEvents),
  })
  .strict()
  .refine((o) => o.store !== 'postgres' || o.postgres !== undefined, {
    message: "store: 'postgres' needs postgres.connectionString",
    path: ['postgres'],
  })
  .refine((o) => o.cluster === undefined || o.store === 'postgres', {
    message: "cluster mode needs store: 'postgres' (the nodes share one PostgreSQL)",
    path: ['cluster'],
  });

export type RuntimeOptions = z.input<typeof RuntimeOptionsSchema>;
export type ResolvedRuntimeOptions = z.output<typeof RuntimeOptionsSchema> & { shards: number };

export function resolveRuntimeOptions(input: RuntimeOptions | undefined): ResolvedRuntimeOptions {
  const parsed = RuntimeOptionsSchema.parse(input ?? {});
  return { ...parsed, shards: parsed.shards ?? availableParallelism() };
}
