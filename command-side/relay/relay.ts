import { SpanKind } from '@opentelemetry/api';
import type { Producer } from 'kafkajs';
import type { EventStore, StoredEvent } from '../../shared/event-store/port.js';
import { toMessage } from '../../shared/kafka/event-message.js';
import { inSpansPerTrace } from '../../shared/observability/tracing.js';
import type { Checkpoint } from './checkpoint.js';
import type { Lease } from './lease.js';

export type RelaySettings = {
  readonly topic: string;
  readonly batchSize: number;
  readonly pollMs: number;
  /**
   * While a backlog is being published, the checkpoint is saved at most this often (default 100 ms)
   * rather than after every batch; always to a position Kafka acknowledged, and at once whenever
   * the relay catches up or stops. After a crash the relay re-publishes from the last saved
   * checkpoint: at most this long's worth of duplicates, which projectors skip.
   */
  readonly checkpointEveryMs?: number;
};
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
const CHECKPOINT_EVERY_MS = 100;

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
  /** The last position Kafka acknowledged (saved or not yet). */
  let checkpoint = 0;
  /** The last position saved as the checkpoint by this instance. */
  let saved = 0;
  let savedAt = 0;
  let published = 0;
  let wake: (() => void) | undefined;
  let nudged = false;
  let done: Promise<void> = Promise.resolve();
  /** The next batch, read while the current one is being sent; only ever read after `checkpoint`. */
  let readAhead: { readonly after: number; readonly events: Promise<StoredEvent[]> } | undefined;
  const checkpointEveryMs = s.checkpointEveryMs ?? CHECKPOINT_EVERY_MS;

  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      // A nudge that came while a round was under way: its events may have missed that round's read.
      if (nudged) {
        nudged = false;
        resolve();
        return;
      }
      const timer = setTimeout(() => resolve(), ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const read = (after: number): Promise<StoredEvent[]> => {
    nudged = false;
    return deps.store.readAll({ afterPosition: after, limit: s.batchSize, streamPrefixes: PUBLISHED_STREAMS });
  };

  /** Drops a read-ahead (after a failure or a lease change): the next round reads from the checkpoint. */
  const dropReadAhead = () => {
    readAhead?.events.catch(() => undefined);
    readAhead = undefined;
  };

  const saveCheckpoint = async (): Promise<void> => {
    if (checkpoint <= saved) return;
    const position = checkpoint;
    await deps.checkpoint.save(position);
    saved = position;
    savedAt = Date.now();
  };

  const publishRound = async (): Promise<number> => {
    const pending = readAhead?.after === checkpoint ? readAhead.events : undefined;
    if (!pending) dropReadAhead();
    readAhead = undefined;
    const events = await (pending ?? read(checkpoint));
    const last = events[events.length - 1];
    if (!last) {
      await saveCheckpoint();
      return 0;
    }
    // A full batch means more may follow: read it while this one is sent (sends stay in order).
    if (events.length >= s.batchSize) {
      const next = read(last.metadata.position);
      next.catch(() => undefined); // awaited (or dropped) by the next round
      readAhead = { after: last.metadata.position, events: next };
    }
    // One `publish` span in each event's trace (events of one trace share it), timing the acked send.
    await inSpansPerTrace(
      `publish ${s.topic}`,
      events.map((e) => e.metadata.traceparent),
      { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': s.topic, 'messaging.batch.message_count': events.length } },
      () => deps.producer.send({ topic: s.topic, acks: -1, messages: events.map(toMessage) }),
    );
    // Acknowledged: from here on the checkpoint may move to this position, never before.
    checkpoint = last.metadata.position;
    published += events.length;
    deps.metrics?.published(events.length);
    if (events.length < s.batchSize || Date.now() - savedAt >= checkpointEveryMs) await saveCheckpoint();
    deps.log('debug', 'relay: published a batch', {
      events: events.length,
      fromPosition: events[0]?.metadata.position,
      toPosition: last.metadata.position,
      checkpointSaved: saved,
      correlationIds: [...new Set(events.map((e) => e.metadata.correlationId))].slice(0, LOGGED_IDS),
    });
    return events.length;
  };

  const loop = async (): Promise<void> => {
    if (!(await deps.lease.acquire(() => running))) return;
    active = true;
    deps.log('info', 'relay: holding the lease, publishing', { checkpoint });
    checkpoint = await deps.checkpoint.read();
    saved = checkpoint;
    savedAt = Date.now();
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
        dropReadAhead();
        failures++;
        const backoff = Math.min(5_000, 100 * 2 ** failures) * (0.5 + Math.random());
        deps.log('warn', 'relay: publish failed, retrying', { error: error instanceof Error ? error.message : String(error), backoffMs: Math.round(backoff) });
        if (!(await deps.lease.stillHeld())) {
          active = false;
          deps.log('warn', 'relay: lost the lease; waiting to take it again');
          if (!(await deps.lease.acquire(() => running))) break;
          active = true;
          checkpoint = await deps.checkpoint.read();
          saved = checkpoint;
          savedAt = Date.now();
        }
        await idle(backoff);
      }
    }
    dropReadAhead();
    // What Kafka acknowledged since the last save, before the lease goes to a successor.
    await saveCheckpoint().catch((error: unknown) =>
      deps.log('warn', 'relay: could not save the checkpoint on stop; a successor re-publishes from the last one saved', { error: String(error) }),
    );
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
    nudge: () => {
      nudged = true;
      wake?.();
    },
    status: () => ({ active, checkpoint, published }),
  };
};
