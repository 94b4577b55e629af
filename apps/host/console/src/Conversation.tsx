import type { AssistantContent, Message, UserContent } from '@shoal/shared';
import { formatTime, prettyJson } from './format.js';
import type { SessionModel, StreamingPreview } from './session-model.js';
import { CommandOutput, ToolResultView } from './ToolResultView.js';

/** The active thread as it stands, then what is streaming, then what is queued. */
export function Conversation({ model }: { model: SessionModel }) {
  const items = model.timeline();
  const previews = model.streaming();
  return (
    <ol class="conversation" aria-label="Conversation">
      {items.length === 0 && previews.length === 0 && model.queue.length === 0 && (
        <li class="muted empty">No messages yet. Type below to start a turn.</li>
      )}
      {items.map((item) =>
        item.kind === 'message' ? (
          <MessageView key={item.message.id} message={item.message} model={model} />
        ) : (
          <li key={`n${item.seq}`} class={`notice ${item.notice.tone}`} data-testid="notice">
            {item.notice.text}
          </li>
        ),
      )}
      {previews.map((p) => (
        <Preview key={p.messageId} preview={p} />
      ))}
      {model.queue.map((q, i) => (
        <li key={q.opId} class="msg user queued" data-testid="queued">
          <div class="msg-head">
            <span class="role">you</span>
            <span class="badge">{i === 0 ? 'queued · next' : 'queued'}</span>
          </div>
          <div class="text">{q.kind === 'DirectBash' ? `$ ${q.content}` : q.content}</div>
        </li>
      ))}
    </ol>
  );
}

function MessageView({ message, model }: { message: Message; model: SessionModel }) {
  const head = (role: string) => (
    <div class="msg-head">
      <span class="role">{role}</span>
      <time class="muted">{formatTime(message.timestamp * 1000)}</time>
    </div>
  );
  switch (message.role) {
    case 'user':
      return (
        <li class="msg user" data-message-id={message.id} data-testid="message-user">
          {head('you')}
          {message.content.map((c, i) => (
            <UserPart key={i} part={c} />
          ))}
        </li>
      );
    case 'assistant':
      return (
        <li class="msg assistant" data-message-id={message.id} data-testid="message-assistant">
          {head('assistant')}
          {message.content.map((c, i) => (
            <AssistantPart key={i} part={c} model={model} />
          ))}
        </li>
      );
    case 'tool':
      return (
        <li class="msg tool" data-message-id={message.id}>
          {head('tool result')}
          <ToolResultView result={message.result} />
        </li>
      );
  }
}

function UserPart({ part }: { part: UserContent }) {
  switch (part.type) {
    case 'text':
      return <div class="text">{part.text}</div>;
    case 'image':
      return <div class="muted">[image {part.image.mimeType}]</div>;
    case 'command_execution':
      return (
        <CommandOutput
          command={part.command}
          stdout={part.stdout}
          stderr={part.stderr}
          exitCode={part.exitCode}
        />
      );
  }
}

function AssistantPart({ part, model }: { part: AssistantContent; model: SessionModel }) {
  switch (part.type) {
    case 'text':
      return <div class="text">{part.text}</div>;
    case 'thought':
      return (
        <div class="thought muted">
          {part.thought.type === 'redacted' ? '[Redacted Thinking]' : part.thought.text}
        </div>
      );
    case 'image':
      return <div class="muted">[image {part.image.mimeType}]</div>;
    case 'tool_call': {
      const call = part.toolCall;
      const result = model.toolResultFor(call.id);
      const waiting = model.pendingApproval?.toolCall.id === call.id;
      const state = waiting ? 'waiting for approval' : (model.toolCalls.get(call.id) ?? 'requested');
      return (
        <div class="tool-call" data-testid="tool-call" data-tool-call-id={call.id}>
          <div class="tool-call-head">
            <span class="tool-name">{call.name}</span>
            <span class={`badge tool-${state.replaceAll(' ', '-')}`}>{state}</span>
          </div>
          <pre class="params">{prettyJson(call.parameters)}</pre>
          {result !== undefined && (
            <div class="tool-output" data-testid="tool-result">
              <ToolResultView result={result.result} />
            </div>
          )}
        </div>
      );
    }
  }
}

function Preview({ preview }: { preview: StreamingPreview }) {
  return (
    <li class="msg assistant streaming" data-testid="streaming" aria-live="polite">
      <div class="msg-head">
        <span class="role">assistant</span>
        <span class="badge">streaming…</span>
      </div>
      {preview.thinking !== '' && <div class="thought muted">{preview.thinking}</div>}
      <div class="text">{preview.text}</div>
    </li>
  );
}
