import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RequestDurations } from './request-durations.js';

/**
 * The Prometheus metrics of one process: one registry, created by the launcher and handed to what
 * records into it (no global registry). Label values are bounded sets — route patterns, command
 * types, outcome codes, projection names, partitions — never user ids or raw URLs.
 */
export const createMetrics = () => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpDuration: new RequestDurations({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status code: rate, errors and latency.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registry,
    }),
    commands: new Counter({
      name: 'sleepsocial_commands_total',
      help: 'Commands handled, by command and outcome: ok, unchanged (nothing to append) or the error code.',
      labelNames: ['command', 'outcome'] as const,
      registers,
    }),
    appendDuration: new Histogram({
      name: 'sleepsocial_event_store_append_duration_seconds',
      help: 'Event store appends, by outcome (ok, conflict, error).',
      labelNames: ['outcome'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    relayPublished: new Counter({ name: 'sleepsocial_relay_published_events_total', help: 'Events the relay published to Kafka (acknowledged).', registers }),
    deadLetters: new Counter({
      name: 'sleepsocial_dead_letters_total',
      help: 'Messages a projector sent to the dead-letter topic.',
      labelNames: ['projection'] as const,
      registers,
    }),
    rebuildEvents: new Counter({
      name: 'sleepsocial_rebuild_events_total',
      help: 'Events replayed from the event store into a read model being rebuilt.',
      labelNames: ['projection'] as const,
      registers,
    }),
  };
};

export type Metrics = ReturnType<typeof createMetrics>;

/** Rebuild progress: the rebuild command calls this as it replays events into `projection`. */
export const countRebuildEvents = (metrics: Metrics, projection: string, events: number): void => metrics.rebuildEvents.inc({ projection }, events);

/**
 * `load` at most once per `ttlMs`, sharing one promise between concurrent callers: scrapes (and
 * readiness probes) read a recent answer instead of asking the servers each time. A failed load
 * is not kept.
 */
export const cachedFor = <A>(ttlMs: number, load: () => Promise<A>, now: () => number = Date.now): (() => Promise<A>) => {
  let entry: { at: number; value: Promise<A> } | undefined;
  return () => {
    const t = now();
    if (!entry || t - entry.at >= ttlMs) {
      const value = load();
      const current = { at: t, value };
      entry = current;
      value.catch(() => {
        if (entry === current) entry = undefined;
      });
    }
    return entry.value;
  };
};

export type RelayLagSample = { readonly positions: number; readonly seconds: number };

/**
 * Relay lag, computed when scraped: positions behind the store head and the age of the oldest
 * unpublished event (0 when caught up). A failed read shows NaN (a gap in graphs), not a stale value.
 */
export const watchRelayLag = (metrics: Metrics, source: () => Promise<RelayLagSample>, onError: (error: unknown) => void): void => {
  const sample = cachedFor(1_000, source);
  const gauge = (name: string, help: string, pick: (s: RelayLagSample) => number) =>
    new Gauge({
      name,
      help,
      registers: [metrics.registry],
      async collect() {
        try {
          this.set(pick(await sample()));
        } catch (error) {
          onError(error);
          this.set(NaN);
        }
      },
    });
  gauge('sleepsocial_relay_lag_positions', 'Global positions between the relay checkpoint and the store head (0 when nothing is left to publish).', (s) => s.positions);
  gauge('sleepsocial_relay_lag_seconds', 'Seconds since the oldest unpublished event was recorded (0 when caught up).', (s) => s.seconds);
};

export type PartitionLagSample = { readonly projection: string; readonly partition: number; readonly lag: number };

/** Projector lag per projection and partition, from Kafka when scraped (through the caller's cache). */
export const watchProjectorLag = (metrics: Metrics, source: () => Promise<readonly PartitionLagSample[]>, onError: (error: unknown) => void): void => {
  new Gauge({
    name: 'sleepsocial_projector_lag_messages',
    help: 'Messages of user-events a projection has not committed yet, per partition.',
    labelNames: ['projection', 'partition'] as const,
    registers: [metrics.registry],
    async collect() {
      try {
        const samples = await source();
        this.reset();
        for (const s of samples) this.set({ projection: s.projection, partition: String(s.partition) }, s.lag);
      } catch (error) {
        onError(error);
        this.reset(); // absent rather than stale
      }
    },
  });
};
