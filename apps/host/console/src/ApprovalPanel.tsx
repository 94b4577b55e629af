import type { ApprovalMemory, ToolCall } from '@shoal/shared';
import type { Ref } from 'preact';
import { useState } from 'preact/hooks';
import { prettyJson } from './format.js';

type Remember = 'none' | 'tool' | 'pattern';

interface Props {
  pending: { requestId: string; toolCall: ToolCall };
  approveRef: Ref<HTMLButtonElement>;
  onDecide: (approved: boolean, remember: ApprovalMemory | undefined) => void;
}

/** The tool call waiting for approval, with approve / deny and what to remember on approval. */
export function ApprovalPanel({ pending, approveRef, onDecide }: Props) {
  const { toolCall } = pending;
  const command = bashCommandOf(toolCall);
  const [remember, setRemember] = useState<Remember>('none');
  const [pattern, setPattern] = useState(command ?? '');

  const memory = (): ApprovalMemory | undefined => {
    if (remember === 'tool') return { type: 'Tool', toolName: toolCall.name };
    if (remember === 'pattern' && pattern.trim() !== '')
      return { type: 'BashPattern', pattern: pattern.trim() };
    return undefined;
  };

  return (
    <section class="card approval" aria-label="Approval needed" data-testid="approval">
      <h2>Approval needed</h2>
      <p>
        The agent wants to run <strong>{toolCall.name}</strong>
      </p>
      <pre class="params">{prettyJson(toolCall.parameters)}</pre>
      <fieldset>
        <legend>Remember</legend>
        <label class="row">
          <input
            type="radio"
            name="remember"
            checked={remember === 'none'}
            onChange={() => setRemember('none')}
          />
          Ask again next time
        </label>
        <label class="row">
          <input
            type="radio"
            name="remember"
            checked={remember === 'tool'}
            onChange={() => setRemember('tool')}
          />
          Always allow {toolCall.name}
        </label>
        {command !== null && (
          <label class="row">
            <input
              type="radio"
              name="remember"
              checked={remember === 'pattern'}
              onChange={() => setRemember('pattern')}
            />
            Allow commands matching
          </label>
        )}
        {command !== null && remember === 'pattern' && (
          <input
            aria-label="Command pattern"
            value={pattern}
            onInput={(e) => setPattern(e.currentTarget.value)}
            spellcheck={false}
          />
        )}
      </fieldset>
      <div class="row">
        <button type="button" class="primary" ref={approveRef} onClick={() => onDecide(true, memory())}>
          Approve <kbd>a</kbd>
        </button>
        <button type="button" class="danger" onClick={() => onDecide(false, undefined)}>
          Deny <kbd>d</kbd>
        </button>
      </div>
    </section>
  );
}

function bashCommandOf(call: ToolCall): string | null {
  if (call.name !== 'bash' || typeof call.parameters !== 'object' || call.parameters === null) return null;
  const command = (call.parameters as { command?: unknown }).command;
  return typeof command === 'string' ? command : null;
}
