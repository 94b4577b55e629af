import { useState } from 'preact/hooks';
import { formatTime, prettyJson } from './format.js';
import type { LogEntry } from './session-model.js';

const MAX_ROWS = 500;

/** The raw event log (seq, type, time), filterable by type; a row opens to the event's JSON. */
export function EventLog({ log }: { log: readonly LogEntry[] }) {
  const [filter, setFilter] = useState('');
  const [open, setOpen] = useState<number | null>(null);
  const types = [...new Set(log.map((e) => e.type))].sort();
  const shown = filter === '' ? log : log.filter((e) => e.type === filter);
  const rows = shown.slice(-MAX_ROWS);

  return (
    <section class="card event-log" aria-label="Event log">
      <div class="row spread">
        <h2>Events</h2>
        <label class="row">
          Type
          <select
            value={filter}
            onChange={(e) => setFilter(e.currentTarget.value)}
            data-testid="event-filter"
          >
            <option value="">all ({log.length})</option>
            {types.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
      </div>
      {shown.length > rows.length && (
        <p class="muted">
          showing the last {rows.length} of {shown.length}
        </p>
      )}
      <div class="log-scroll">
        <table class="log-table">
          <thead>
            <tr>
              <th scope="col" class="num">
                seq
              </th>
              <th scope="col">type</th>
              <th scope="col">time</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <LogRow
                key={e.seq}
                entry={e}
                open={open === e.seq}
                onToggle={() => setOpen(open === e.seq ? null : e.seq)}
              />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function LogRow({ entry, open, onToggle }: { entry: LogEntry; open: boolean; onToggle: () => void }) {
  return (
    <>
      <tr data-testid="event-row" data-seq={entry.seq} data-type={entry.type}>
        <td class="num">{entry.seq}</td>
        <td>
          <button type="button" class="link" aria-expanded={open} onClick={onToggle}>
            {entry.type}
          </button>
        </td>
        <td title={entry.timeFromEvent ? 'from the event' : 'when the console received it'}>
          {formatTime(entry.time)}
          {!entry.timeFromEvent && <span class="muted"> (received)</span>}
        </td>
      </tr>
      {open && (
        <tr class="log-detail">
          <td colSpan={3}>
            <pre>{prettyJson(entry.event)}</pre>
          </td>
        </tr>
      )}
    </>
  );
}
