import type { ApprovalMemory, SessionStateSnapshot } from '@shoal/shared';

/** A refused request, in the host's one error shape (`{ error: { code, message, kind?, details? } }`). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly kind?: string,
  ) {
    super(message);
  }
}

export type SessionStatus = 'idle' | 'running' | 'waiting_for_approval';

/** One row of `GET /v1/sessions`. */
export interface SessionSummary {
  id: string;
  title: string | null;
  status: SessionStatus;
  messageCount: number;
  createdAt: number;
  metadata: Record<string, string>;
}

export interface SessionPage {
  sessions: SessionSummary[];
  nextCursor: string | null;
}

export type AgentId = 'normal' | 'plan' | 'yolo';

/** Everything the console asks of the host, through the public `/v1` API only. */
export class ApiClient {
  constructor(
    readonly apiKey: string,
    private readonly baseUrl = '',
  ) {}

  /** Headers for every call; the key travels only in `Authorization`, never in a URL. */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.apiKey}`, ...extra };
  }

  url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  listSessions(limit: number, cursor: string | null): Promise<SessionPage> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor !== null) query.set('cursor', cursor);
    return this.request<SessionPage>('GET', `/v1/sessions?${query}`);
  }

  createSession(input: { title?: string; primaryAgentId?: AgentId }): Promise<{ id: string }> {
    return this.request('POST', '/v1/sessions', input);
  }

  getSession(id: string): Promise<SessionStateSnapshot> {
    return this.request('GET', `/v1/sessions/${encodeURIComponent(id)}`);
  }

  deleteSession(id: string): Promise<void> {
    return this.request('DELETE', `/v1/sessions/${encodeURIComponent(id)}`);
  }

  sendInput(id: string, text: string): Promise<{ opId: string; messageId: string }> {
    return this.request('POST', this.sessionPath(id, 'input'), { text });
  }

  decideApproval(id: string, requestId: string, approved: boolean, remember?: ApprovalMemory): Promise<void> {
    const body = remember === undefined ? { approved } : { approved, remember };
    return this.request('POST', this.sessionPath(id, `approvals/${encodeURIComponent(requestId)}`), body);
  }

  cancel(id: string, opId?: string): Promise<void> {
    return this.request('POST', this.sessionPath(id, 'cancel'), opId === undefined ? {} : { opId });
  }

  dequeue(id: string): Promise<void> {
    return this.request('POST', this.sessionPath(id, 'dequeue'));
  }

  runBash(id: string, command: string): Promise<{ opId: string }> {
    return this.request('POST', this.sessionPath(id, 'bash'), { command });
  }

  compact(id: string): Promise<{ opId: string }> {
    return this.request('POST', this.sessionPath(id, 'compact'), {});
  }

  switchAgent(id: string, agentId: AgentId): Promise<void> {
    return this.request('POST', this.sessionPath(id, 'agent'), { agentId });
  }

  private sessionPath(id: string, tail: string): string {
    return `/v1/sessions/${encodeURIComponent(id)}/${tail}`;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method, headers: this.headers(), cache: 'no-store' };
    if (body !== undefined) {
      init.headers = this.headers({ 'content-type': 'application/json' });
      init.body = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await fetch(this.url(path), init);
    } catch (cause) {
      throw new ApiError(0, 'NETWORK', `the host did not answer (${describe(cause)})`);
    }
    if (!response.ok) throw await errorOf(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
}

/** Reads the host's error body; anything else (a proxy page, an empty body) still becomes an ApiError. */
export async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const parsed: unknown = JSON.parse(text);
    if (isErrorBody(parsed)) {
      const { code, message, kind } = parsed.error;
      return new ApiError(response.status, code, message, kind);
    }
  } catch {
    // not JSON: fall through to the status line
  }
  return new ApiError(response.status, `HTTP_${response.status}`, text.slice(0, 200) || response.statusText);
}

function isErrorBody(v: unknown): v is { error: { code: string; message: string; kind?: string } } {
  if (typeof v !== 'object' || v === null || !('error' in v)) return false;
  const e = (v as { error: unknown }).error;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { code?: unknown }).code === 'string' &&
    typeof (e as { message?: unknown }).message === 'string'
  );
}

export function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
