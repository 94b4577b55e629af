/**
 * The SQL the PostgreSQL store runs, built once per store for its schema (`q`, already quoted) and its
 * optional extra append fence. Batched statements take one array per column (`unnest`), so a batch of any
 * size is one statement with a fixed parameter list, prepared once per connection.
 */
export interface Statements {
  append: string;
  create: string;
  nextSeqs: string;
  deleteSession: string[];
  saveSnapshot: string;
  pruneSnapshots: string;
  loadEvents: string;
  nextSeq: string;
  summary: string;
  config: string;
  latestSnapshot: string;
  listIds: string;
  listPage: string;
}

/**
 * An extra condition an append must meet to commit, checked in the same statement as the sequence fence (e.g.
 * "this process still holds the lease of the session's shard"). `condition` is a SQL boolean expression over
 * the session row `s` (`s.id`, `s.next_seq`, …) and the append's input row `i` (`i.id`, and `i.fence`: the
 * text `valueFor(sessionId)` returned when the append was queued). It must not use `$n` parameters.
 */
export interface AppendFence {
  condition: string;
  valueFor(sessionId: string): string;
  /**
   * Why an append the condition rejected was refused (the session existed and its sequence matched); the
   * append fails with a `LEASE_LOST` StoreError whose message is this error's and whose cause it is.
   */
  rejected(sessionId: string): Error;
}

/** Append columns, one array each; the order of `APPEND_COLUMNS` is the order of the statement's parameters. */
export const APPEND_COLUMNS = [
  ['idx', 'int'],
  ['id', 'text'],
  ['expected', 'bigint'],
  ['n', 'bigint'],
  ['at', 'bigint'],
  ['touched', 'boolean'],
  ['msgs', 'bigint'],
  ['last_model', 'text'],
  ['has_config', 'boolean'],
  ['title', 'text'],
  ['meta_extra', 'jsonb'],
  ['config', 'text'],
  ['fence', 'text'],
] as const;

export function buildStatements(q: string, fence: AppendFence | undefined): Statements {
  const cols = APPEND_COLUMNS.map(([name]) => name).join(', ');
  const arrays = APPEND_COLUMNS.map(([, type], k) => `$${k + 1}::${type}[]`).join(', ');
  const ev = APPEND_COLUMNS.length;
  const fenceCondition = fence === undefined ? '' : `AND (${fence.condition})`;
  const newestFirst = 'ORDER BY updated_at DESC, id';
  const summaryCols = 'id, created_at, updated_at, message_count, last_model, title, metadata';
  return {
    /*
     * One statement for a whole batch of appends (at most one per session). The fence: a session's row is
     * updated only where next_seq is the expected value (and the extra fence holds), and only the events of
     * updated rows are inserted, at next_seq.. (the (session_id, seq) primary key refuses any duplicate).
     * The catalog changes in the same row update: deltas computed from the events, applied to the current row.
     * Rows are not locked in a separate step first: that step multiplied the statement's server CPU
     * (BENCHMARKS.md, PostgreSQL store). Batches come sorted by id, so two stores racing the same sessions mostly
     * lock them in the same order; a deadlock the planner's order still allows aborts the statement, which is
     * retried whole.
     */
    append: `
      WITH input AS (
        SELECT * FROM unnest(${arrays}) AS t(${cols})
      ),
      fenced AS (
        UPDATE ${q}.sessions s SET
          next_seq = s.next_seq + i.n,
          updated_at = CASE WHEN i.touched THEN GREATEST(s.updated_at, i.at) ELSE s.updated_at END,
          message_count = s.message_count + i.msgs,
          last_model = COALESCE(i.last_model, s.last_model),
          title = CASE WHEN i.has_config THEN i.title ELSE s.title END,
          config = COALESCE(i.config, s.config),
          metadata = CASE WHEN i.meta_extra IS NULL THEN s.metadata ELSE i.meta_extra || s.metadata END
        FROM input i
        WHERE s.id = i.id
          AND (i.expected IS NULL OR s.next_seq = i.expected)
          ${fenceCondition}
        RETURNING i.idx, s.next_seq - i.n AS first
      ),
      appended AS (
        INSERT INTO ${q}.events (session_id, seq, body)
        SELECT i.id, f.first + e.k, e.body
        FROM unnest($${ev + 1}::int[], $${ev + 2}::bigint[], $${ev + 3}::text[]) AS e(idx, k, body)
        JOIN fenced f ON f.idx = e.idx
        JOIN input i ON i.idx = e.idx
      )
      SELECT idx, first FROM fenced`,
    /* Registration, catalog and initial events in one statement; an existing id inserts nothing. */
    create: `
      WITH created AS (
        INSERT INTO ${q}.sessions
          (id, next_seq, created_at, updated_at, message_count, last_model, title, metadata, config)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)
        ON CONFLICT (id) DO NOTHING
        RETURNING id
      ),
      initial AS (
        INSERT INTO ${q}.events (session_id, seq, body)
        SELECT c.id, e.seq - 1, e.body
        FROM created c, unnest($10::text[]) WITH ORDINALITY AS e(body, seq)
      )
      SELECT id FROM created`,
    nextSeqs: `SELECT id, next_seq FROM ${q}.sessions WHERE id = ANY($1::text[])`,
    /*
     * One transaction of three statements: the first locks (and removes) the session row, waiting for any
     * append in flight; the next two then see that append's events (a fresh snapshot per statement).
     */
    deleteSession: [
      `DELETE FROM ${q}.sessions WHERE id = $1`,
      `DELETE FROM ${q}.events WHERE session_id = $1`,
      `DELETE FROM ${q}.snapshots WHERE session_id = $1`,
    ],
    /* Only for an existing event of an existing session; 'missing' / 'beyond' tell the two failures apart. */
    saveSnapshot: `
      WITH target AS (
        SELECT next_seq FROM ${q}.sessions WHERE id = $1 FOR SHARE
      ),
      saved AS (
        INSERT INTO ${q}.snapshots (session_id, seq, data)
        SELECT $1, $2, $3 FROM target WHERE target.next_seq > $2
        ON CONFLICT (session_id, seq) DO UPDATE SET data = excluded.data
        RETURNING seq
      )
      SELECT (SELECT next_seq FROM target) AS next_seq, (SELECT count(*) FROM saved)::int AS saved`,
    pruneSnapshots: `DELETE FROM ${q}.snapshots WHERE session_id = $1 AND seq < $2`,
    loadEvents: `
      SELECT seq, body FROM ${q}.events
      WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    nextSeq: `SELECT next_seq FROM ${q}.sessions WHERE id = $1`,
    summary: `SELECT ${summaryCols} FROM ${q}.sessions WHERE id = $1`,
    config: `SELECT config FROM ${q}.sessions WHERE id = $1`,
    latestSnapshot: `
      SELECT seq, data FROM ${q}.snapshots WHERE session_id = $1 ORDER BY seq DESC LIMIT 1`,
    listIds: `SELECT id FROM ${q}.sessions ${newestFirst}`,
    /*
     * A page newest-updated first (ties by id). $1/$2: after this cursor position (or from the start when
     * null); $3: only sessions whose metadata contains this JSON object (or all when null); then offset/limit.
     */
    listPage: `
      SELECT ${summaryCols} FROM ${q}.sessions
      WHERE ($1::bigint IS NULL OR updated_at < $1 OR (updated_at = $1 AND id > $2::text))
        AND ($3::jsonb IS NULL OR metadata @> $3::jsonb)
      ${newestFirst}
      OFFSET $4 LIMIT $5`,
  };
}
