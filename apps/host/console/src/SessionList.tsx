import { useCallback, useEffect, useState } from 'preact/hooks';
import { type AgentId, type ApiClient, ApiError, type SessionPage } from './api.js';
import { formatDateTime, statusLabel } from './format.js';
import { sessionHref } from './route.js';

const PAGE_SIZE = 20;
const REFRESH_MS = 5000;

interface Props {
  api: ApiClient;
  onUnauthorized: () => void;
}

/** The tenant's sessions, newest first, one page at a time, with create and delete. */
export function SessionList({ api, onUnauthorized }: Props) {
  // cursors[i] is the cursor that loads page i; page 0 has none
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<SessionPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const cursor = cursors[cursors.length - 1] ?? null;

  const fail = useCallback(
    (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) onUnauthorized();
      else setError(err instanceof Error ? err.message : String(err));
    },
    [onUnauthorized],
  );

  const load = useCallback(async () => {
    try {
      setPage(await api.listSessions(PAGE_SIZE, cursor));
      setError(null);
    } catch (err) {
      fail(err);
    }
  }, [api, cursor, fail]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const remove = async (id: string) => {
    setConfirming(null);
    try {
      await api.deleteSession(id);
      await load();
    } catch (err) {
      fail(err);
    }
  };

  return (
    <section class="sessions">
      <CreateSession api={api} onError={fail} />
      <div class="card">
        <div class="row spread">
          <h2>Sessions</h2>
          <button type="button" class="ghost" onClick={() => void load()}>
            Refresh
          </button>
        </div>
        {error !== null && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {page === null ? (
          <p class="muted">Loading…</p>
        ) : page.sessions.length === 0 ? (
          <p class="muted">No sessions yet.</p>
        ) : (
          <table class="session-table">
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Messages
                </th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {page.sessions.map((s) => (
                <tr key={s.id} data-session-id={s.id}>
                  <td>
                    <a href={sessionHref(s.id)}>{s.title ?? <span class="muted">untitled</span>}</a>
                    <div class="id muted">{s.id}</div>
                  </td>
                  <td>
                    <span class={`badge status-${s.status}`}>{statusLabel[s.status] ?? s.status}</span>
                  </td>
                  <td class="num">{s.messageCount}</td>
                  <td>{formatDateTime(s.createdAt)}</td>
                  <td class="actions">
                    {confirming === s.id ? (
                      <>
                        <button type="button" class="danger" onClick={() => void remove(s.id)}>
                          Confirm delete
                        </button>
                        <button type="button" class="ghost" onClick={() => setConfirming(null)}>
                          Keep
                        </button>
                      </>
                    ) : (
                      <button type="button" class="ghost" onClick={() => setConfirming(s.id)}>
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <nav class="row pager" aria-label="Pages">
          <button
            type="button"
            disabled={cursors.length <= 1}
            onClick={() => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c))}
          >
            ← Newer
          </button>
          <span class="muted">page {cursors.length}</span>
          <button
            type="button"
            disabled={page?.nextCursor == null}
            onClick={() => {
              const next = page?.nextCursor;
              if (next != null) setCursors((c) => [...c, next]);
            }}
          >
            Older →
          </button>
        </nav>
      </div>
    </section>
  );
}

function CreateSession({ api, onError }: { api: ApiClient; onError: (err: unknown) => void }) {
  const [title, setTitle] = useState('');
  const [agent, setAgent] = useState<AgentId>('normal');
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const trimmed = title.trim();
      const { id } = await api.createSession(
        trimmed === '' ? { primaryAgentId: agent } : { title: trimmed, primaryAgentId: agent },
      );
      location.hash = sessionHref(id);
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card row create" onSubmit={submit} aria-label="New session">
      <label>
        Title
        <input
          name="title"
          value={title}
          placeholder="optional; generated from the first message"
          onInput={(e) => setTitle(e.currentTarget.value)}
        />
      </label>
      <label>
        Agent
        <select name="agent" value={agent} onChange={(e) => setAgent(e.currentTarget.value as AgentId)}>
          <option value="normal">normal</option>
          <option value="plan">plan</option>
          <option value="yolo">yolo</option>
        </select>
      </label>
      <button type="submit" class="primary" disabled={busy}>
        New session
      </button>
    </form>
  );
}
