import { build, type Histogram } from 'hdr-histogram-js';

/** Latency percentiles in milliseconds (µs precision). */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * An HDR histogram of latencies. Values are recorded in whole microseconds (3 significant digits, so a
 * percentile is within 0.1% of the recorded value) and reported in milliseconds.
 */
export class LatencyRecorder {
  private readonly histogram: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000, // one hour in µs; the histogram grows past it if needed
    numberOfSignificantValueDigits: 3,
  });
  /** exact extremes in µs (the histogram reports values rounded to its buckets) */
  private minUs = Number.POSITIVE_INFINITY;
  private maxUs = 0;

  /** Records one latency given in milliseconds (fractions allowed; negative values count as 0). */
  record(ms: number): void {
    if (!Number.isFinite(ms)) return;
    const us = Math.max(0, Math.round(ms * 1000));
    this.histogram.recordValue(us);
    if (us < this.minUs) this.minUs = us;
    if (us > this.maxUs) this.maxUs = us;
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  summary(): LatencySummary {
    const h = this.histogram;
    if (h.totalCount === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };
    const ms = (us: number) => Math.round(us) / 1000;
    // A percentile is its bucket's highest equivalent value, which may lie just above the exact maximum.
    const at = (p: number) => ms(Math.min(h.getValueAtPercentile(p), this.maxUs));
    return {
      count: h.totalCount,
      min: ms(this.minUs),
      mean: ms(h.mean),
      p50: at(50),
      p90: at(90),
      p95: at(95),
      p99: at(99),
      max: ms(this.maxUs),
    };
  }

  /** Frees the histogram's storage (only matters for the WebAssembly flavour; safe to call once). */
  destroy(): void {
    this.histogram.destroy();
  }
}
