import type { StoredEvent, StreamDelta } from '@shoal/shared';
import { Agent, errors as undiciErrors } from 'undici';
import { RuntimeError } from '../errors/runtime-error.js';
import { ClusterError } from './cluster-error.js';
import {
  NOT_OWNER_STATUS,
  PEER_PATHS,
  type PeerCommand,
  type PeerReply,
  PeerReplySchema,
} from './peer-protocol.js';

/** What a forward came back with: a reply, or "that node does not own the shard" (nothing ran). */
export type ForwardResult = { t: 'reply'; reply: PeerReply } | { t: 'notOwner' };

/** A stream's end: `moved` (the owner ended it or went away; resume elsewhere) or `gone` (404: deleted). */
export type StreamEnd = 'moved' | 'gone';

/**
 * The HTTP client side of the peer protocol (undici, keep-alive connections per peer). Failures are
 * sorted by what they say about the command: a connection that could not be made means nothing was sent
 * (`retryable` — route again); a failure after sending means the owner may or may not have run it.
 */
export class PeerClient {
  private readonly agent: Agent;

  constructor(
    private readonly secret: string | undefined,
    private readonly commandTimeoutMs: number,
  ) {
    this.agent = new Agent({ keepAliveTimeout: 30_000, connections: 64, pipelining: 1 });
  }

  async forward(url: string, cmd: PeerCommand): Promise<ForwardResult> {
    let res: Awaited<ReturnType<Agent['request']>>;
    try {
      res = await this.agent.request({
        origin: url,
        path: PEER_PATHS.request,
        method: 'POST',
        headers: this.headers({ 'content-type': 'application/json' }),
        body: JSON.stringify(cmd),
        headersTimeout: this.commandTimeoutMs,
        bodyTimeout: this.commandTimeoutMs,
      });
    } catch (err) {
      throw peerFailure(url, err);
    }
    try {
      if (res.statusCode === NOT_OWNER_STATUS) {
        await res.body.dump();
        return { t: 'notOwner' };
      }
      const body: unknown = await res.body.json();
      if (res.statusCode === 400) {
        // The owner refused the command before running it: a defect of this protocol, not of the caller.
        const details = (body as { error?: { details?: unknown } }).error?.details;
        throw new RuntimeError(
          'INVALID_INPUT',
          `cluster node ${url} refused a forwarded command`,
          'Validation',
          details,
        );
      }
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}: ${JSON.stringify(body)}`);
      return { t: 'reply', reply: PeerReplySchema.parse(body) };
    } catch (err) {
      if (err instanceof RuntimeError) throw err;
      throw peerFailure(url, err);
    }
  }

  /** Streams stored-then-live events of a session from its owner, in seq order, until the stream ends. */
  streamEvents(
    url: string,
    sessionId: string,
    afterSeq: number,
    signal: AbortSignal,
  ): AsyncGenerator<StoredEvent, StreamEnd> {
    const path = `${PEER_PATHS.events}?sessionId=${encodeURIComponent(sessionId)}&afterSeq=${afterSeq}`;
    return this.stream<StoredEvent>(url, path, signal);
  }

  streamDeltas(url: string, sessionId: string, signal: AbortSignal): AsyncGenerator<StreamDelta, StreamEnd> {
    return this.stream<StreamDelta>(
      url,
      `${PEER_PATHS.deltas}?sessionId=${encodeURIComponent(sessionId)}`,
      signal,
    );
  }

  close(): Promise<void> {
    return this.agent.destroy();
  }

  private async *stream<T>(url: string, path: string, signal: AbortSignal): AsyncGenerator<T, StreamEnd> {
    let res: Awaited<ReturnType<Agent['request']>>;
    try {
      res = await this.agent.request({
        origin: url,
        path,
        method: 'GET',
        headers: this.headers({}),
        signal,
        headersTimeout: this.commandTimeoutMs,
        bodyTimeout: 0,
      });
    } catch {
      return 'moved';
    }
    if (res.statusCode === 404) {
      await res.body.dump();
      return 'gone';
    }
    if (res.statusCode !== 200) {
      await res.body.dump().catch(() => undefined);
      return 'moved';
    }
    // One JSON value per line; pulling from the body is what reads from the socket (backpressure).
    let rest = '';
    try {
      for await (const chunk of res.body) {
        rest += (chunk as Buffer).toString('utf8');
        let nl = rest.indexOf('\n');
        while (nl >= 0) {
          const line = rest.slice(0, nl);
          rest = rest.slice(nl + 1);
          if (line.length > 0) yield JSON.parse(line) as T;
          nl = rest.indexOf('\n');
        }
      }
    } catch {
      // the owner died or the stream was cut: the caller resumes from what it got
    } finally {
      res.body.destroy();
    }
    return 'moved';
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    return this.secret === undefined ? extra : { ...extra, authorization: `Bearer ${this.secret}` };
  }
}

/** Could the request have reached the peer? Connect-time failures (refused, timed out) cannot have. */
export function neverSent(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH' ||
    err instanceof undiciErrors.ConnectTimeoutError
  );
}

function peerFailure(url: string, err: unknown): ClusterError {
  const sent = !neverSent((err as { cause?: unknown }).cause ?? err) && !neverSent(err);
  return new ClusterError(
    sent ? 'PEER_FAILED' : 'NO_OWNER',
    `cluster node ${url} ${sent ? 'failed while the command was in flight' : 'cannot be reached'}: ${(err as Error).message}`,
    { cause: err },
  );
}
