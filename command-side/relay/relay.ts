import { SpanKind } from '@opentelemetry/api';
import type { Producer } from 'kafkajs';
import type { EventStore } from '../../shared/event-store/port.js';
import { toMessage } from '../../shared/kafka/event-message.js';
import { inSpansPerTrace } from '../../shared/observability/tracing.js';
import type { Checkpoint } from './checkpoint.js';
import type { Lease } from './lease.js';

export type RelaySettings = { readonly topic: string; readonly batchSize: number; readonly pollMs: number };
export type RelayLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
/** Hooks for the process's metrics; optional (tests leave them out). */
export type RelayMetrics = { readonly published: (events: number) => void };

export type Relay = {
  /** Resolves when stopped. */
  run(): Promise<void>;
  stop(): Promise<void>;
  /** Wakes an idle relay at once (the all-in-one process calls it after an append). */
  nudge(): void;
  status(): { readonly active: boolean; readonly checkpoint: number; readonly published: number };
};

const LEASE_CHECK_MS = 1_000;

class LeaseLost extends Error {
  constructor() {
    super('the relay lease was lost');
  }
}

/** Only user streams are published; handle claims and credentials stay private to the command side. */
export const PUBLISHED_STREAMS: readonly string[] = ['user-'];

/** At most this many distinct correlation ids per log line: enough to follow a write, bounded for big batches. */
const LOGGED_IDS = 20;

/**
 * Publishes the store's global order to Kafka, keyed by user id, with acks from all in-sync
 * replicas. The checkpoint moves only after Kafka acknowledged: after a crash an event may be
 * published twice (projectors deduplicate), never skipped.
 */
export const createRelay = (
  deps: { store: EventStore; producer: Producer; checkpoint: Checkpoint; lease: Lease; log: RelayLog; metrics?: RelayMetrics },
  s: RelaySettings,
): Relay => {
  let running = false;
  let active = false;
  let checkpoint = 0;
  let published = 0;
  let wake: (() => void) | undefined;
  let done: Promise<void> = Promise.resolve();

  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => resolve(), ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const publishRound = async (): Promise<number> => {
    const events = await deps.store.readAll({ afterPosition: checkpoint, limit: s.batchSize, streamPrefixes: PUBLISHED_STREAMS });
    const last = events[events.length - 1];
    if (!last) return 0;
    // One `publish` span in each event's trace (events of one trace share it), timing the acked send.
    await inSpansPerTrace(
      `publish ${s.topic}`,
      events.map((e) => e.metadata.traceparent),
      { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': s.topic, 'messaging.batch.message_count': events.length } },
      () => deps.producer.send({ topic: s.topic, acks: -1, messages: events.map(toMessage) }),
    );
    await deps.checkpoint.save(last.metadata.position);
    deps.log('debug', 'relay: published a batch', {
      events: events.length,
      fromPosition: events[0]?.metadata.position,
      toPosition: last.metadata.position,
      correlationIds: [...new Set(events.map((e) => e.metadata.correlationId))].slice(0, LOGGED_IDS),
    });
    checkpoint = last.metadata.position;
    published += events.length;
    deps.metrics?.published(events.length);
    return events.length;
  };

  const loop = async (): Promise<void> => {
    if (!(await deps.lease.acquire(() => running))) return;
    active = true;
    deps.log('info', 'relay: holding the lease, publishing', { checkpoint });
    checkpoint = await deps.checkpoint.read();
    let failures = 0;
    let leaseCheckedAt = Date.now();
    while (running) {
      try {
        // A relay whose lock connection was cut (but whose process lives on) must stop publishing
        // soon: a standby has taken over, and two publishers would interleave.
        if (Date.now() - leaseCheckedAt > LEASE_CHECK_MS) {
          leaseCheckedAt = Date.now();
          if (!(await deps.lease.stillHeld())) throw new LeaseLost();
        }
        const n = await publishRound();
        failures = 0;
        if (n < s.batchSize) await idle(s.pollMs);
      } catch (error) {
        failures++;
        const backoff = Math.min(5_000, 100 * 2 ** failures) * (0.5 + Math.random());
        deps.log('warn', 'relay: publish failed, retrying', { error: error instanceof Error ? error.message : String(error), backoffMs: Math.round(backoff) });
        if (!(await deps.lease.stillHeld())) {
          active = false;
          deps.log('warn', 'relay: lost the lease; waiting to take it again');
          if (!(await deps.lease.acquire(() => running))) break;
          active = true;
          checkpoint = await deps.checkpoint.read();
        }
        await idle(backoff);
      }
    }
    active = false;
    await deps.lease.release();
  };

  return {
    run: () => {
      running = true;
      done = loop();
      return done;
    },
    stop: async () => {
      running = false;
      wake?.();
      await done;
    },
    nudge: () => wake?.(),
    status: () => ({ active, checkpoint, published }),
  };
};
