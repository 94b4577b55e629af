import type { StoredEvent } from '@shoal/shared';

/** A live stream of one session's stored events (from a given sequence number on), closed by the reader. */
export interface EventStream extends AsyncIterable<StoredEvent> {
  close(): Promise<void>;
}

export type ApprovalMemoryInput =
  | { type: 'Tool'; toolName: string }
  | { type: 'BashPattern'; pattern: string };

/** Memory figures of the system under load, where the target can measure them. */
export interface TargetMemory {
  /** heap used by every isolate of the runtime, after a forced GC when `afterGc` */
  heapUsed: number;
  afterGc: boolean;
}

/**
 * What the harness drives: an embedded runtime or a running host over HTTP. Both speak in the runtime's terms
 * (api.md `Runtime`, host routes); a call that the system refuses rejects with `TargetCallError`.
 */
export interface LoadTarget {
  readonly kind: 'embedded' | 'http';
  /** worker threads of the runtime (0 = in-process; null when the target does not say) */
  readonly shards: number | null;
  /**
   * Whether calls for one session issued without waiting for each other are processed in the order issued
   * (api.md: true for the runtime's API; over HTTP each request may take its own connection, so false).
   */
  readonly keepsCallOrder: boolean;
  createSession(metadata: Record<string, string>): Promise<string>;
  /** every stored event with `seq > afterSeq`, then live ones, with no gap and no duplicate */
  subscribe(sessionId: string, afterSeq: number): Promise<EventStream>;
  submitInput(sessionId: string, text: string): Promise<{ opId: string; messageId: string }>;
  approve(
    sessionId: string,
    requestId: string,
    approved: boolean,
    remember?: ApprovalMemoryInput,
  ): Promise<void>;
  cancel(sessionId: string, opId?: string): Promise<void>;
  executeBash(sessionId: string, command: string): Promise<string>;
  compact(sessionId: string): Promise<string>;
  switchAgent(sessionId: string, agentId: string): Promise<void>;
  editMessage(sessionId: string, messageId: string, text: string): Promise<string>;
  dequeue(sessionId: string): Promise<void>;
  /** the session's whole stored log, read back for the final comparison */
  readLog(sessionId: string): Promise<StoredEvent[]>;
  /** memory of the system under load (null where it cannot be measured) */
  memory(): Promise<TargetMemory | null>;
  close(): Promise<void>;
}

/**
 * A call the target refused or could not answer. `code` is the runtime's error code (`INVALID_INPUT`,
 * `SESSION_NOT_FOUND`, …) or, over HTTP, the host's (`UNAUTHORIZED`, `RATE_LIMITED`, `HTTP_<status>`,
 * `NETWORK`); `kind` is the runtime's `INVALID_INPUT` kind (`QueueEmpty`, `OperationInFlight`, …).
 */
export class TargetCallError extends Error {
  override readonly name = 'TargetCallError';
  constructor(
    readonly code: string,
    message: string,
    readonly kind?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An error's message with its causes' (`fetch failed (ECONNRESET: other side closed)`): fetch hides the reason. */
export function networkMessage(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error && parts.length < 4; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    parts.push(typeof code === 'string' && !e.message.includes(code) ? `${code}: ${e.message}` : e.message);
  }
  if (parts.length === 0) return String(err);
  return parts.length === 1 ? parts[0]! : `${parts[0]} (${parts.slice(1).join('; ')})`;
}
