import type { ApprovalMemory } from '@shoal/shared';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ActionsPanel } from './ActionsPanel.js';
import { ApprovalPanel } from './ApprovalPanel.js';
import { type AgentId, type ApiClient, ApiError } from './api.js';
import { Composer } from './Composer.js';
import { Conversation } from './Conversation.js';
import { EventLog } from './EventLog.js';
import { statusLabel } from './format.js';
import { type FeedStatus, openSessionFeed } from './session-feed.js';
import { SessionModel } from './session-model.js';
import { useShortcuts } from './shortcuts.js';
import type { StreamState } from './sse.js';

interface Props {
  api: ApiClient;
  sessionId: string;
  onUnauthorized: () => void;
}

/** One session: its conversation and event log, live, and the controls that drive it. */
export function SessionPage({ api, sessionId, onUnauthorized }: Props) {
  const model = useRef(new SessionModel()).current;
  const [, setVersion] = useState(0);
  const [feed, setFeed] = useState<FeedStatus | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const composerRef = useRef<HTMLTextAreaElement>(null);
  const approveRef = useRef<HTMLButtonElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const pinnedToBottom = useRef(true);

  useEffect(() => {
    const handle = openSessionFeed(api, sessionId, model, () => setVersion((v) => v + 1), setFeed);
    return () => handle.close();
  }, [api, sessionId, model]);

  const refused = feed?.events.kind === 'failed' ? feed.events.error : null;
  useEffect(() => {
    if (refused?.status === 401) onUnauthorized();
  }, [refused, onUnauthorized]);

  // Follow the conversation as it grows, unless the reader scrolled up.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el !== null && pinnedToBottom.current) el.scrollTop = el.scrollHeight;
  });

  /** Runs one command; its events arrive on the stream, so only a refusal needs showing here. */
  const act = async (what: string, call: () => Promise<unknown>): Promise<boolean> => {
    try {
      await call();
      setActionError(null);
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) onUnauthorized();
      setActionError(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
  };
  const pending = model.pendingApproval;
  const decide = (approved: boolean, remember?: ApprovalMemory) => {
    if (pending === null) return;
    void act(approved ? 'Approve' : 'Deny', () =>
      api.decideApproval(sessionId, pending.requestId, approved, remember),
    );
  };
  const cancel = () => {
    if (model.currentOp !== null) void act('Cancel', () => api.cancel(sessionId, model.currentOp?.opId));
  };

  useShortcuts({
    focusComposer: () => composerRef.current?.focus(),
    approve: () => pending !== null && decide(true),
    deny: () => pending !== null && decide(false),
    cancel,
  });

  if (refused !== null && refused.status !== 401) {
    return (
      <section class="card">
        <h1>{refused.status === 404 ? 'Session not found' : 'The host refused this session'}</h1>
        <p class="muted">{refused.message}</p>
        <a href="#/">← Back to sessions</a>
      </section>
    );
  }

  return (
    <div class="session-page">
      <div class="session-main">
        <div class="session-head row spread">
          <div>
            <a href="#/" class="muted">
              ← Sessions
            </a>
            <h1 data-testid="session-title">{model.title ?? 'Untitled session'}</h1>
            <div class="id muted">{sessionId}</div>
          </div>
          <div class="row">
            <span class={`badge status-${model.activity}`} data-testid="session-status">
              {statusLabel[model.activity]}
            </span>
            <ConnectionBadge state={feed?.events ?? { kind: 'connecting' }} />
          </div>
        </div>
        <div
          class="conversation-scroll"
          ref={scrollRef}
          onScroll={(e) => {
            const el = e.currentTarget;
            pinnedToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
          }}
        >
          <Conversation model={model} />
        </div>
        {actionError !== null && (
          <p class="error" role="alert">
            {actionError}
          </p>
        )}
        <Composer
          busy={model.currentOp !== null}
          inputRef={composerRef}
          returned={model.returnedInput}
          onSend={(text) => act('Send', () => api.sendInput(sessionId, text))}
        />
        <EventLog log={model.log} />
      </div>
      <aside class="session-side">
        {pending !== null && (
          <ApprovalPanel
            key={pending.requestId}
            pending={pending}
            approveRef={approveRef}
            onDecide={decide}
          />
        )}
        <ActionsPanel
          model={model}
          onCancel={cancel}
          onDequeue={() => void act('Dequeue', () => api.dequeue(sessionId))}
          onCompact={() => void act('Compact', () => api.compact(sessionId))}
          onAgent={(agentId: AgentId) => void act('Switch agent', () => api.switchAgent(sessionId, agentId))}
          onBash={(command) => act('Bash', () => api.runBash(sessionId, command))}
        />
        <Shortcuts />
      </aside>
    </div>
  );
}

function ConnectionBadge({ state }: { state: StreamState }) {
  const text =
    state.kind === 'open'
      ? 'live'
      : state.kind === 'retrying'
        ? `reconnecting (${state.reason})`
        : state.kind === 'failed'
          ? 'disconnected'
          : 'connecting…';
  return (
    <span class={`badge conn-${state.kind}`} data-testid="connection" role="status">
      {text}
    </span>
  );
}

function Shortcuts() {
  return (
    <section class="card shortcuts" aria-label="Keyboard shortcuts">
      <h2>Keys</h2>
      <dl>
        <dt>
          <kbd>i</kbd> or <kbd>/</kbd>
        </dt>
        <dd>write a message</dd>
        <dt>
          <kbd>Enter</kbd> / <kbd>Shift+Enter</kbd>
        </dt>
        <dd>send / new line</dd>
        <dt>
          <kbd>a</kbd> / <kbd>d</kbd>
        </dt>
        <dd>approve / deny the pending tool call</dd>
        <dt>
          <kbd>Esc</kbd>
        </dt>
        <dd>leave a text field; again to cancel the running operation</dd>
      </dl>
    </section>
  );
}
