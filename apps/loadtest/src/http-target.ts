import type { StoredEvent } from '@shoal/shared';
import { Agent, type Dispatcher, fetch } from 'undici';
import { z } from 'zod';
import { openSseEvents } from './sse-events.js';
import {
  type ApprovalMemoryInput,
  type EventStream,
  type LoadTarget,
  networkMessage,
  TargetCallError,
} from './target.js';

/** api.md "The host": `{ "error": { "code", "message", "kind"?, "details"? } }`. */
const ErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), kind: z.string().optional() }),
});
const IdBody = z.object({ id: z.string() });
const OpBody = z.object({ opId: z.string() });
const InputBody = z.object({ opId: z.string(), messageId: z.string() });
const SnapshotBody = z.object({ eventSequence: z.number().int().nonnegative() });

/**
 * A running `shoal-host` driven over its HTTP API and SSE event streams only (api.md "The host"). Commands
 * share a keep-alive pool of `connections` sockets; event streams each hold their own connection, so they use
 * a separate, unbounded pool (a stream never waits behind a command, or the other way round).
 */
export class HttpTarget implements LoadTarget {
  readonly kind = 'http';
  readonly keepsCallOrder = false;
  readonly shards = null;
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly commands: Agent;
  private readonly streams: Agent;

  constructor(baseUrl: string, apiKey: string, opts: { connections?: number } = {}) {
    this.base = baseUrl.replace(/\/+$/, '');
    this.headers = { authorization: `Bearer ${apiKey}` };
    this.commands = new Agent({ connections: opts.connections ?? 128, pipelining: 1 });
    this.streams = new Agent({ bodyTimeout: 0 });
  }

  private async fail(method: string, path: string, status: number, body: string): Promise<TargetCallError> {
    let parsed: z.infer<typeof ErrorBodySchema> | undefined;
    try {
      const result = ErrorBodySchema.safeParse(JSON.parse(body));
      if (result.success) parsed = result.data;
    } catch {
      // not JSON: reported with the raw text below
    }
    const what = `${method} ${path}: ${status}`;
    return parsed
      ? new TargetCallError(
          parsed.error.code,
          `${what} ${parsed.error.code}: ${parsed.error.message}`,
          parsed.error.kind,
        )
      : new TargetCallError(`HTTP_${status}`, `${what} ${body.slice(0, 200)}`);
  }

  private async request(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
    let response: Awaited<ReturnType<typeof fetch>>;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: body === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        dispatcher: this.commands as Dispatcher,
      });
    } catch (err) {
      throw new TargetCallError('NETWORK', `${method} ${path}: ${networkMessage(err)}`, undefined, {
        cause: err,
      });
    }
    const text = await response.text();
    if (!response.ok) throw await this.fail(method, path, response.status, text);
    if (text === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new TargetCallError(
        'BAD_RESPONSE',
        `${method} ${path}: the body is not JSON: ${text.slice(0, 200)}`,
      );
    }
  }

  private async requestAs<T>(
    schema: z.ZodType<T>,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const data = await this.request(method, path, body);
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      throw new TargetCallError(
        'BAD_RESPONSE',
        `${method} ${path}: unexpected body: ${parsed.error.message}`,
      );
    }
    return parsed.data;
  }

  private session(id: string, rest = ''): string {
    return `/v1/sessions/${encodeURIComponent(id)}${rest}`;
  }

  async createSession(metadata: Record<string, string>): Promise<string> {
    return (await this.requestAs(IdBody, 'POST', '/v1/sessions', { metadata })).id;
  }

  subscribe(sessionId: string, afterSeq: number): Promise<EventStream> {
    const path = this.session(sessionId, `/events?after=${afterSeq}`);
    return openSseEvents({
      url: `${this.base}${path}`,
      headers: this.headers,
      dispatcher: this.streams,
      fail: (status, body) => this.fail('GET', path, status, body),
    });
  }

  submitInput(sessionId: string, text: string): Promise<{ opId: string; messageId: string }> {
    return this.requestAs(InputBody, 'POST', this.session(sessionId, '/input'), { text });
  }

  async approve(
    sessionId: string,
    requestId: string,
    approved: boolean,
    remember?: ApprovalMemoryInput,
  ): Promise<void> {
    const body = remember === undefined ? { approved } : { approved, remember };
    await this.request('POST', this.session(sessionId, `/approvals/${encodeURIComponent(requestId)}`), body);
  }

  async cancel(sessionId: string, opId?: string): Promise<void> {
    await this.request('POST', this.session(sessionId, '/cancel'), opId === undefined ? {} : { opId });
  }

  async executeBash(sessionId: string, command: string): Promise<string> {
    return (await this.requestAs(OpBody, 'POST', this.session(sessionId, '/bash'), { command })).opId;
  }

  async compact(sessionId: string): Promise<string> {
    return (await this.requestAs(OpBody, 'POST', this.session(sessionId, '/compact'), {})).opId;
  }

  async switchAgent(sessionId: string, agentId: string): Promise<void> {
    await this.request('POST', this.session(sessionId, '/agent'), { agentId });
  }

  async editMessage(sessionId: string, messageId: string, text: string): Promise<string> {
    return (await this.requestAs(OpBody, 'POST', this.session(sessionId, '/edit'), { messageId, text })).opId;
  }

  async dequeue(sessionId: string): Promise<void> {
    await this.request('POST', this.session(sessionId, '/dequeue'));
  }

  /**
   * There is no plain "list events" route: read the snapshot's `eventSequence` (events stored so far), then the
   * event stream from the first event until it has delivered that many.
   */
  async readLog(sessionId: string): Promise<StoredEvent[]> {
    const { eventSequence } = await this.requestAs(SnapshotBody, 'GET', this.session(sessionId));
    const out: StoredEvent[] = [];
    if (eventSequence === 0) return out;
    const stream = await this.subscribe(sessionId, -1);
    try {
      for await (const e of stream) {
        out.push(e);
        if (e.seq >= eventSequence - 1) break;
      }
    } finally {
      await stream.close();
    }
    return out;
  }

  async memory(): Promise<null> {
    return null;
  }

  async close(): Promise<void> {
    await Promise.all([this.commands.close(), this.streams.destroy()]);
  }
}
