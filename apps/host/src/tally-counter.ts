import { Counter, type LabelValues, type Registry } from 'prom-client';

interface Tally<L extends string> {
  labels: LabelValues<L>;
  count: number;
}

/**
 * A labelled prom-client counter for the request path: each increment is one Map lookup by a key the caller
 * builds (e.g. `POST 202 /v1/sessions/:id/input`), and the counts are handed to prom-client only when
 * `/metrics` is scraped. prom-client's own `inc` hashes and validates the label object on every call, which
 * cost more than everything else the metrics do per request.
 */
export class TallyCounter<L extends string> {
  private readonly tallies = new Map<string, Tally<L>>();

  constructor(config: { name: string; help: string; labelNames: readonly L[]; registers: Registry[] }) {
    const tallies = this.tallies;
    new Counter<L>({
      ...config,
      collect() {
        // A counter only grows, so replacing its values by the tallies keeps it a counter.
        this.reset();
        for (const t of tallies.values()) this.inc(t.labels, t.count);
      },
    });
  }

  /** Adds one to the series `key` names; `labels` builds its labels the first time `key` is seen. */
  inc(key: string, labels: () => LabelValues<L>): void {
    const t = this.tallies.get(key);
    if (t !== undefined) t.count++;
    else this.tallies.set(key, { labels: labels(), count: 1 });
  }
}
