import cliProgress from 'cli-progress';
import type { LoadProgress } from './run-load.js';

/** A cli-progress bar on stderr: turns done of turns planned, with sessions, events and errors. */
export class ProgressBar {
  private readonly bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format:
        '{phase} |{bar}| {value}/{total} turns | {sessions} sessions | {events} events | {errors} errors | {duration_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      fps: 10,
      etaBuffer: 200,
    },
    cliProgress.Presets.shades_classic,
  );
  private started = false;

  update(p: LoadProgress): void {
    const payload = {
      phase: p.phase.padEnd(8),
      sessions:
        p.phase === 'creating' ? `${p.sessionsCreated}/${p.sessionsPlanned}` : String(p.sessionsCreated),
      events: p.events,
      errors: p.errors,
    };
    if (!this.started) {
      this.started = true;
      this.bar.start(p.turnsPlanned, p.turnsDone, payload);
    } else {
      this.bar.update(p.turnsDone, payload);
    }
  }

  stop(): void {
    if (this.started) this.bar.stop();
  }
}
