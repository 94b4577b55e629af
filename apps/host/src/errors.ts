import { RuntimeError, type RuntimeErrorCode } from '@shoal/supervisor';

/** What the host itself refuses (api.md "The host"): codes beside the `RuntimeError` codes. */
export type HostErrorCode =
  | 'UNAUTHORIZED'
  | 'RATE_LIMITED'
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'SHUTTING_DOWN'
  | 'INTERNAL';

/** An error the host answers with a status of its choosing; `retryAfterSeconds` becomes `Retry-After`. */
export class HostError extends Error {
  override readonly name = 'HostError';
  constructor(
    readonly code: HostErrorCode,
    readonly status: number,
    message: string,
    readonly details?: unknown,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  static badRequest(message: string, details?: unknown): HostError {
    return new HostError('BAD_REQUEST', 400, message, details);
  }
}

/** The one JSON shape of every error body (api.md). */
export interface ErrorBody {
  error: { code: string; message: string; kind?: string; details?: unknown };
}

/** A response for an error: status, body, and `Retry-After` seconds when the client should come back. */
export interface HttpError {
  status: number;
  body: ErrorBody;
  retryAfterSeconds?: number;
}

/** How long a client is told to wait after OVERLOADED or during a shutdown. */
export const OVERLOADED_RETRY_AFTER_SECONDS = 1;

/** The 503 for every request that arrives during a graceful shutdown. */
export function shuttingDown(): HostError {
  return new HostError(
    'SHUTTING_DOWN',
    503,
    'the host is shutting down',
    undefined,
    OVERLOADED_RETRY_AFTER_SECONDS,
  );
}

/**
 * `RuntimeError` code → HTTP status, written once (README "Errors"). INVALID_INPUT is refined by kind:
 * `OperationInFlight` is a 409 (the session is busy in a way the request cannot wait for).
 */
export const RUNTIME_STATUS: Readonly<Record<RuntimeErrorCode, number>> = {
  SESSION_NOT_FOUND: 404,
  SESSION_ALREADY_EXISTS: 409,
  INVALID_INPUT: 400,
  OVERLOADED: 503,
  SHUTTING_DOWN: 503,
  CHANNEL_CLOSED: 500,
  EVENT_STORE: 500,
  SESSION: 500,
};

/** Statuses that tell the client to retry later, with `Retry-After`. */
const RETRY_LATER: ReadonlySet<RuntimeErrorCode> = new Set(['OVERLOADED', 'SHUTTING_DOWN']);

/**
 * Cluster mode's `SESSION` kinds that say "a node failed or the session is moving; try again": a command in
 * flight on a node that died (it may have run), no owner yet, a fenced append. A 503 with the code and kind
 * lets a client tell them from a defect.
 */
const CLUSTER_TRANSIENT_KINDS: ReadonlySet<string> = new Set(['NodeFailed', 'NoOwner', 'LeaseLost']);

/** Maps anything thrown by a handler to the response; an unexpected error becomes a 500 without internals. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HostError) {
    return {
      status: err.status,
      body: errorBody(err.code, err.message, undefined, err.details),
      ...(err.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: err.retryAfterSeconds }),
    };
  }
  if (err instanceof RuntimeError) {
    let status = RUNTIME_STATUS[err.code];
    if (err.code === 'INVALID_INPUT' && err.kind === 'OperationInFlight') status = 409;
    const transient = err.code === 'SESSION' && CLUSTER_TRANSIENT_KINDS.has(err.kind ?? '');
    if (transient) status = 503;
    if (status === 500) return internal();
    return {
      status,
      body: errorBody(err.code, err.message, err.kind, err.details),
      ...(RETRY_LATER.has(err.code) || transient
        ? { retryAfterSeconds: OVERLOADED_RETRY_AFTER_SECONDS }
        : {}),
    };
  }
  // Fastify's own client errors (malformed JSON, wrong content type, body too large) keep their status.
  const fastifyStatus = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
    const message = err instanceof Error ? err.message : 'bad request';
    return { status: fastifyStatus, body: errorBody('BAD_REQUEST', message) };
  }
  return internal();
}

function internal(): HttpError {
  return { status: 500, body: errorBody('INTERNAL', 'internal error') };
}

function errorBody(code: string, message: string, kind?: string, details?: unknown): ErrorBody {
  const error: ErrorBody['error'] = { code, message };
  if (kind !== undefined) error.kind = kind;
  if (details !== undefined) error.details = details;
  return { error };
}
