import { LatencyRecorder } from './latency.js';

/** One second of a run. */
export interface SecondSample {
  /** seconds since the run's turns began */
  t: number;
  started: number;
  completed: number;
  events: number;
  errors: number;
  /** latency of the turns that completed in this second (0 when none did) */
  p50: number;
  p99: number;
}

/**
 * Per-second counters and latency percentiles of a run. Everything is recorded at the time it happens, so
 * seconds close in order: a second's histogram is summarised and freed as soon as a later second is touched,
 * which keeps memory flat however long the run is.
 */
export class TimeSeries {
  readonly samples: SecondSample[] = [];
  private current: SecondSample | undefined;
  private histogram: LatencyRecorder | undefined;

  constructor(private readonly nowMs: () => number) {}

  private second(): SecondSample {
    const t = Math.max(0, Math.floor(this.nowMs() / 1000));
    if (this.current !== undefined && this.current.t === t) return this.current;
    this.close();
    // Seconds in which nothing happened still appear, so the charts' x axis is time.
    const last = this.samples.length > 0 ? this.samples[this.samples.length - 1]!.t : -1;
    for (let s = last + 1; s < t; s++) this.samples.push(empty(s));
    this.current = empty(t);
    this.histogram = new LatencyRecorder();
    return this.current;
  }

  private close(): void {
    if (this.current === undefined) return;
    const summary = this.histogram!.summary();
    this.current.p50 = summary.p50;
    this.current.p99 = summary.p99;
    this.histogram!.destroy();
    this.samples.push(this.current);
    this.current = undefined;
    this.histogram = undefined;
  }

  started(): void {
    this.second().started++;
  }

  completed(latencyMs: number): void {
    this.second().completed++;
    this.histogram!.record(latencyMs);
  }

  event(): void {
    this.second().events++;
  }

  error(): void {
    this.second().errors++;
  }

  /** Turns completed in the last full second (for the progress display). */
  lastRate(): number {
    const last = this.samples[this.samples.length - 1];
    return last === undefined ? 0 : last.completed;
  }

  /** Closes the current second and returns every sample. */
  finish(): SecondSample[] {
    this.close();
    return this.samples;
  }
}

function empty(t: number): SecondSample {
  return { t, started: 0, completed: 0, events: 0, errors: 0, p50: 0, p99: 0 };
}
