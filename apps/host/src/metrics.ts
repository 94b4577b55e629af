import { type Runtime, RuntimeError } from '@shoal/supervisor';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { TallyCounter } from './tally-counter.js';

/** What the metrics read from the host itself when scraped. */
export interface HostReadings {
  storedSessions(): ReadonlyMap<string, number>;
  streamBufferedBytes(): number;
}

/**
 * Prometheus metrics (prom-client) in a registry of this host's own, so several hosts in one process (tests)
 * do not share counters. Runtime figures are read when scraped; HTTP and append figures are counted as they
 * happen.
 */
export class HostMetrics {
  readonly registry = new Registry();
  private readonly httpRequests: TallyCounter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route'>;
  private readonly commands: TallyCounter<'command' | 'outcome'>;
  readonly openStreams: Gauge<'kind'>;
  private readonly eventsAppended: Counter;
  private readonly appendDuration: Histogram;
  private readonly previousLoop = new Map<number, { idle: number; active: number }>();
  private readonly stopAppends: () => void;

  constructor(runtime: Runtime, host: HostReadings) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new TallyCounter({
      name: 'shoal_http_requests_total',
      help: 'HTTP requests answered, by route and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'shoal_http_request_duration_seconds',
      help: 'HTTP request duration (for streams: how long the stream was open)',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.commands = new TallyCounter({
      name: 'shoal_commands_total',
      help: 'Session commands sent to the runtime, by command and outcome (ok or the error code)',
      labelNames: ['command', 'outcome'],
      registers,
    });
    this.openStreams = new Gauge({
      name: 'shoal_open_streams',
      help: 'Open server-sent-event streams, by kind (events, deltas)',
      labelNames: ['kind'],
      registers,
    });
    this.eventsAppended = new Counter({
      name: 'shoal_events_appended_total',
      help: 'Events appended to the event store',
      registers,
    });
    this.appendDuration = new Histogram({
      name: 'shoal_append_duration_seconds',
      help: 'Event store append latency (one batch of events, until durable)',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.stopAppends = runtime.onAppend((_sessionId, events, ms) => {
      this.eventsAppended.inc(events);
      this.appendDuration.observe(ms / 1000);
    });
    new Gauge({
      name: 'shoal_sessions_active',
      help: 'Sessions resident in a shard (not suspended)',
      registers,
      async collect() {
        this.set((await runtime.listActiveSessions()).length);
      },
    });
    new Gauge({
      name: 'shoal_sessions_stored',
      help: 'Stored sessions per tenant',
      labelNames: ['tenant'],
      registers,
      collect() {
        this.reset();
        for (const [tenant, n] of host.storedSessions()) this.set({ tenant }, n);
      },
    });
    new Gauge({
      name: 'shoal_stream_buffered_bytes',
      help: 'Bytes written to open streams that their clients have not read yet (bounded by backpressure)',
      registers,
      collect() {
        this.set(host.streamBufferedBytes());
      },
    });
    const shardStats = memoizedScrape(() => runtime.shardStats());
    new Gauge({
      name: 'shoal_shard_queue_depth',
      help: 'Commands queued in each shard',
      labelNames: ['shard'],
      registers,
      async collect() {
        for (const s of await shardStats()) this.set({ shard: String(s.shard) }, s.pendingCommands);
      },
    });
    new Gauge({
      name: 'shoal_shard_resident_sessions',
      help: 'Sessions resident in each shard',
      labelNames: ['shard'],
      registers,
      async collect() {
        for (const s of await shardStats()) this.set({ shard: String(s.shard) }, s.residentSessions);
      },
    });
    const previous = this.previousLoop;
    new Gauge({
      name: 'shoal_worker_event_loop_utilization',
      help: 'Event-loop utilisation of each shard thread since the previous scrape (0-1)',
      labelNames: ['shard'],
      registers,
      async collect() {
        for (const s of await shardStats()) {
          const prev = previous.get(s.shard) ?? { idle: 0, active: 0 };
          const active = s.eventLoop.active - prev.active;
          const total = active + (s.eventLoop.idle - prev.idle);
          previous.set(s.shard, s.eventLoop);
          if (total > 0) this.set({ shard: String(s.shard) }, active / total);
        }
      },
    });
  }

  /** Counts one answered request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.inc(`${method} ${status} ${route}`, () => ({ method, route, status: String(status) }));
    this.httpDuration.observe({ method, route }, seconds);
  }

  /** Runs one runtime command, counting it by name and outcome (`ok` or the error's code). */
  async command<T>(name: string, run: () => Promise<T>): Promise<T> {
    try {
      const value = await run();
      this.commands.inc(`${name} ok`, () => ({ command: name, outcome: 'ok' }));
      return value;
    } catch (err) {
      const code = (err as { code?: unknown } | null)?.code;
      const outcome = typeof code === 'string' ? code : 'error';
      this.commands.inc(`${name} ${outcome}`, () => ({ command: name, outcome }));
      throw err;
    }
  }

  close(): void {
    this.stopAppends();
  }
}

/**
 * One shard-stats request per scrape, shared by the gauges that read it. A runtime that is shutting down has
 * no shards to report (a scrape during shutdown shows none); any other failure fails the scrape.
 */
function memoizedScrape<T>(read: () => Promise<T[]>): () => Promise<T[]> {
  let current: Promise<T[]> | undefined;
  return () => {
    if (current === undefined) {
      current = read().catch((err: unknown) => {
        if (err instanceof RuntimeError && err.code === 'SHUTTING_DOWN') return [];
        throw err;
      });
      // Cleared after this scrape's collectors ran (they start in the same tick).
      setImmediate(() => {
        current = undefined;
      });
    }
    return current;
  };
}
