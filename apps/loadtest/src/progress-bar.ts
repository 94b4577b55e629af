import cliProgress from 'cli-progress';
import type { LoadProgress } from './run-load.js';
import { formatMs } from './summary-table.js';

/**
 * The live display on stderr (cli-progress): turns done of planned (or seconds of `--duration` when the run is
 * bounded by time), current turns/s, p99 so far, events and errors.
 */
export class ProgressBar {
  private readonly bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format:
        '{phase} |{bar}| {done} turns | {rate} turns/s | p99 {p99} | {sessions} sessions | {events} events | {errors} errors | {duration_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      fps: 4,
      etaBuffer: 200,
    },
    cliProgress.Presets.shades_classic,
  );
  private started = false;

  update(p: LoadProgress): void {
    const byTime = p.turnsPlanned === null && p.durationS !== null;
    const total = byTime ? Math.round(p.durationS! * 10) : (p.turnsPlanned ?? 0);
    const value = byTime ? Math.min(total, Math.round(p.elapsedS * 10)) : p.turnsDone;
    const payload = {
      phase: p.phase.padEnd(9),
      done: p.turnsPlanned === null ? `${p.turnsDone}` : `${p.turnsDone}/${p.turnsPlanned}`,
      rate: p.turnsPerSecond,
      p99: formatMs(p.p99Ms),
      sessions:
        p.phase === 'creating' ? `${p.sessionsCreated}/${p.sessionsPlanned}` : String(p.sessionsCreated),
      events: p.events,
      errors: p.errors,
    };
    if (!this.started) {
      this.started = true;
      this.bar.start(total, value, payload);
    } else {
      this.bar.update(value, payload);
    }
  }

  stop(): void {
    if (this.started) this.bar.stop();
  }
}

/** Without a terminal: one plain status line every few seconds (a CI log stays readable). */
export class ProgressLines {
  private lastPrint = 0;

  update(p: LoadProgress): void {
    const now = Date.now();
    if (now - this.lastPrint < 5000 && p.phase === 'running') return;
    if (p.phase !== 'running') return;
    this.lastPrint = now;
    const done = p.turnsPlanned === null ? `${p.turnsDone}` : `${p.turnsDone}/${p.turnsPlanned}`;
    process.stderr.write(
      `shoal-loadtest: ${p.elapsedS.toFixed(0)} s, ${done} turns, ${p.turnsPerSecond} turns/s, ` +
        `p99 ${formatMs(p.p99Ms)}, ${p.errors} errors\n`,
    );
  }

  stop(): void {}
}
