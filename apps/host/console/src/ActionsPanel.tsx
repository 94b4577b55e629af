import { useState } from 'preact/hooks';
import type { AgentId } from './api.js';
import type { SessionModel } from './session-model.js';

interface Props {
  model: SessionModel;
  onCancel: () => void;
  onDequeue: () => void;
  onCompact: () => void;
  onAgent: (agentId: AgentId) => void;
  onBash: (command: string) => Promise<boolean>;
}

/** Drives the operation: cancel, dequeue, compact, switch agent, and a direct bash command. */
export function ActionsPanel({ model, onCancel, onDequeue, onCompact, onAgent, onBash }: Props) {
  const [command, setCommand] = useState('');
  const running = model.currentOp !== null;
  return (
    <section class="card actions-panel" aria-label="Actions">
      <h2>Actions</h2>
      <div class="row wrap">
        <button type="button" class="danger" disabled={!running} onClick={onCancel}>
          Cancel <kbd>Esc</kbd>
        </button>
        <button type="button" disabled={model.queue.length === 0} onClick={onDequeue}>
          Dequeue next
        </button>
        <button type="button" disabled={running} onClick={onCompact}>
          Compact
        </button>
      </div>
      <label class="row">
        Agent
        <select
          value={model.agentId ?? 'normal'}
          onChange={(e) => onAgent(e.currentTarget.value as AgentId)}
          data-testid="agent-select"
        >
          <option value="normal">normal</option>
          <option value="plan">plan</option>
          <option value="yolo">yolo</option>
        </select>
      </label>
      <form
        class="row"
        onSubmit={async (e) => {
          e.preventDefault();
          if (command.trim() !== '' && (await onBash(command))) setCommand('');
        }}
      >
        <label for="bash-input" class="sr-only">
          Bash command
        </label>
        <input
          id="bash-input"
          class="mono"
          placeholder="direct bash, e.g. ls -la"
          value={command}
          spellcheck={false}
          onInput={(e) => setCommand(e.currentTarget.value)}
        />
        <button type="submit" disabled={command.trim() === ''}>
          Run
        </button>
      </form>
    </section>
  );
}
