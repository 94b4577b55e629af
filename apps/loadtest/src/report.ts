import { z } from 'zod';
import { FAILURE_KINDS } from './counters.js';
import { TURN_KINDS } from './mix.js';
import { LoadOptionsObjectSchema } from './options.js';

const count = z.number().int().nonnegative();
const ms = z.number().nonnegative();
const rate = z.number().nonnegative();

export const LatencySummarySchema = z
  .object({ count, min: ms, mean: ms, p50: ms, p90: ms, p95: ms, p99: ms, max: ms })
  .strict();

const KindStatsSchema = z
  .object({
    /** turns of this kind that ended (completed, errored, cancelled, timed out or refused) */
    turns: count,
    /** turns of this kind that did not end as the kind expects */
    errors: count,
    latencyMs: LatencySummarySchema,
  })
  .strict();

export const SecondSampleSchema = z
  .object({ t: count, started: count, completed: count, events: count, errors: count, p50: ms, p99: ms })
  .strict();

/** The machine-readable result of one load run (`--json FILE`, and what `runLoad` resolves with). */
export const LoadReportSchema = z
  .object({
    /** bumped when a field changes meaning or goes away */
    reportVersion: z.literal(2),
    /** ISO 8601 time the run started */
    startedAt: z.iso.datetime(),
    /** `embedded`, or the host URL of `--target` */
    target: z.string(),
    /** closed: a fixed number of turns in flight; open: turns start at `config.rate` per second */
    mode: z.enum(['closed', 'open']),
    /** where latency is measured from: the turn's start (closed loop) or its scheduled start (open loop) */
    latencyFrom: z.enum(['start', 'scheduled']),
    /** sessions created (the requested number is `config.sessions`) */
    sessions: count,
    /** turns that ended: completed, errored, cancelled, timed out or refused */
    turns: count,
    /** turns the run planned (null: bounded by `--duration` only) */
    turnsPlanned: count.nullable(),
    /** turns never started because their session stopped at an error */
    turnsSkipped: count,
    /** events received live on the sessions' event streams */
    events: count,
    /** the sum of `errorBreakdown` */
    errors: count,
    errorBreakdown: z.object(Object.fromEntries(FAILURE_KINDS.map((k) => [k, count]))).strict(),
    /** self-check violations by kind (gap, duplicate, missingInput, …) */
    violations: z.record(z.string(), count),
    /** the first error messages, for diagnosis */
    errorSamples: z.array(z.string()).max(20),
    /** approvals granted and denied (one per `ApprovalRequested`) */
    approvals: count,
    denials: count,
    /** `ToolCallFailed` events (a tool that ran and failed is a result, not a harness error) */
    toolFailures: count,
    /** how `queue`, `dequeue` and `compact` turns went (not errors) */
    notes: z
      .object({
        merged: count,
        notMerged: count,
        dequeued: count,
        dequeueMissed: count,
        compacted: count,
        compactNoop: count,
      })
      .strict(),
    /** whether every session's stored log was re-read and compared with what was seen live */
    verified: z.boolean(),
    /** creating the sessions plus driving every turn (runtime start, verification and shutdown excluded) */
    durationMs: ms,
    turnsPerSecond: rate,
    eventsPerSecond: rate,
    /** every turn's latency */
    turnLatencyMs: LatencySummarySchema,
    /** per turn kind, and `create` for session creation */
    kinds: z.partialRecord(z.enum([...TURN_KINDS, 'create']), KindStatsSchema),
    /** one sample per second of the turns phase */
    timeSeries: z.array(SecondSampleSchema),
    /** peak resident set size of the harness process (with an embedded target: harness and runtime) */
    peakRssBytes: count,
    /** heap after every session ran its turns, minus the baseline, per session (0 when not measurable) */
    heapBytesPerSession: z.number(),
    /** the same, measured right after the sessions were created up front (0 otherwise) */
    heapBytesPerSessionCreated: z.number(),
    /** whether the heap figures include a forced GC on every isolate they cover */
    heapMeasuredAfterGc: z.boolean(),
    phasesMs: z.object({ start: ms, create: ms, turns: ms, verify: ms, shutdown: ms }).strict(),
    /** worker threads of the runtime; 0 = actors on the calling thread; null = not known (a host) */
    shards: z.number().int().min(0).nullable(),
    durability: z.enum(['fsync', 'buffered']).nullable(),
    store: z.enum(['level', 'memory']).nullable(),
    /** the data dir used (removed at the end unless `config.keep` or it was given); null for a host */
    dataDir: z.string().nullable(),
    dataDirRemoved: z.boolean(),
    /** `process.version` */
    node: z.string(),
    /** `os.availableParallelism()` */
    cpus: z.number().int().positive(),
    platform: z.string(),
    /** the options of the run, defaults filled in (the API key is never written) */
    config: LoadOptionsObjectSchema.omit({ apiKey: true }),
  })
  .strict();

export type LoadReport = z.infer<typeof LoadReportSchema>;
