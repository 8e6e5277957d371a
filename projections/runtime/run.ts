import { SpanKind } from '@opentelemetry/api';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import * as E from 'fp-ts/lib/Either.js';
import type { EventStore } from '../../shared/event-store/port.js';
import { fromMessage, headerText } from '../../shared/kafka/event-message.js';
import { inSpansPerTrace } from '../../shared/observability/tracing.js';
import type { ProjectionItem, Projector } from './projector.js';
import { RevisionGap } from './projector.js';
import { toProjectionItem } from './decode.js';

export type ProjectorLog = (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;

/** Hooks for the process's metrics; optional (tests leave them out). */
export type ProjectorMetrics = { readonly deadLettered: (projection: string) => void };

export type ProjectorRuntimeDeps = {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly store: EventStore;
  readonly log: ProjectorLog;
  readonly metrics?: ProjectorMetrics;
};

export type ProjectorRuntimeSettings = {
  readonly groupId: string;
  readonly topic: string;
  readonly deadLetterTopic: string;
  /** How long a fetch waits for data; low for write → read latency. */
  readonly maxWaitMs?: number;
  /**
   * The broker answers a fetch once this many bytes are there or maxWaitMs has passed, whichever
   * first: with a threshold and ~500 ms this is how a projector writes in batches.
   */
  readonly minBytes?: number;
};

export type RunningProjector = { readonly consumer: Consumer; stop(): Promise<void>; deadLettered(): number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const backoff = (attempt: number) => Math.min(10_000, 100 * 2 ** attempt) * (0.5 + Math.random());

/** At most this many distinct correlation ids per log line: enough to follow a write, bounded for big batches. */
const LOGGED_IDS = 20;
const correlationIdOf = (message: KafkaMessage): string | undefined => headerText(message.headers, 'correlation-id');
const correlationIdsOf = (messages: readonly KafkaMessage[]): string[] =>
  [...new Set(messages.map(correlationIdOf).filter((id): id is string => id !== undefined))].slice(0, LOGGED_IDS);

/**
 * Runs one projector as a Kafka consumer group. Offsets are committed only after the effects are
 * durable; poison messages go to the dead-letter topic with their origin; transient failures are
 * retried with back-off and jitter (never dead-lettered); a revision gap is repaired from the
 * event store before the batch is applied again.
 */
export const runProjector = async (projector: Projector, deps: ProjectorRuntimeDeps, s: ProjectorRuntimeSettings): Promise<RunningProjector> => {
  const consumer = deps.kafka.consumer({ groupId: s.groupId, maxWaitTimeInMs: s.maxWaitMs ?? 50, minBytes: s.minBytes ?? 1, allowAutoTopicCreation: false });
  let deadLettered = 0;

  const deadLetter = async (payload: EachBatchPayload, message: KafkaMessage, error: string) => {
    const { batch } = payload;
    const { offset, value } = message;
    await deps.producer.send({
      topic: s.deadLetterTopic,
      acks: -1,
      messages: [
        {
          key: `${batch.topic}:${batch.partition}:${offset}`,
          value,
          headers: { 'origin-topic': batch.topic, 'origin-partition': String(batch.partition), 'origin-offset': offset, projection: projector.name, error },
        },
      ],
    });
    deadLettered++;
    deps.metrics?.deadLettered(projector.name);
    deps.log('warn', `${projector.name}: dead-lettered a message`, { topic: batch.topic, partition: batch.partition, offset, error, correlationId: correlationIdOf(message) });
  };

  const repairGap = async (gap: RevisionGap, correlationIds: readonly string[]): Promise<void> => {
    deps.log('warn', `${projector.name}: ${gap.message}; repairing from the event store`, { correlationIds });
    const missing = await deps.store.readStream(gap.streamId, { fromRevision: gap.nextExpected });
    const items = missing.filter((e) => e.metadata.revision < gap.arrived).map((e) => toProjectionItem(e).item);
    await projector.apply(items);
  };

  const applyWithRetry = async (items: ProjectionItem[], payload: EachBatchPayload): Promise<boolean> => {
    const { batch } = payload;
    const correlationIds = correlationIdsOf(batch.messages);
    for (let attempt = 0; ; attempt++) {
      if (!payload.isRunning() || payload.isStale()) return false;
      try {
        await projector.apply(items);
        return true;
      } catch (error) {
        if (error instanceof RevisionGap) {
          await repairGap(error, correlationIds).catch((e: unknown) => deps.log('warn', `${projector.name}: gap repair failed`, { error: String(e), correlationIds }));
          continue;
        }
        const wait = backoff(attempt);
        deps.log(attempt >= 3 ? 'error' : 'warn', `${projector.name}: apply failed, retrying`, {
          error: error instanceof Error ? error.message : String(error),
          attempt,
          waitMs: Math.round(wait),
          partition: batch.partition,
          correlationIds,
        });
        await sleep(wait);
        await payload.heartbeat();
      }
    }
  };

  const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    const items: ProjectionItem[] = [];
    const traceparents: (string | undefined)[] = [];
    for (const message of batch.messages) {
      const envelope = fromMessage(message.value);
      if (E.isLeft(envelope)) {
        await deadLetter(payload, message, envelope.left);
        continue;
      }
      const decoded = toProjectionItem(envelope.right);
      if (decoded.error) await deadLetter(payload, message, decoded.error);
      items.push(decoded.item);
      traceparents.push(headerText(message.headers, 'traceparent') ?? envelope.right.metadata.traceparent);
    }
    if (items.length > 0) {
      // A `project` span in each event's trace, timing the durable apply (retries included).
      const applied = await inSpansPerTrace(
        `project ${projector.name}`,
        traceparents,
        {
          kind: SpanKind.CONSUMER,
          attributes: { 'messaging.system': 'kafka', 'messaging.destination.partition.id': String(batch.partition), 'messaging.batch.message_count': items.length },
        },
        () => applyWithRetry(items, payload),
      );
      if (!applied) return; // stopping or rebalanced: uncommitted, redelivered later
    }
    const last = batch.lastOffset();
    payload.resolveOffset(last);
    await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
    await payload.heartbeat();
    if (batch.messages.length > 0) {
      deps.log('info', `${projector.name}: applied a batch`, {
        partition: batch.partition,
        offsets: `${batch.firstOffset() ?? last}-${last}`,
        events: items.length,
        correlationIds: correlationIdsOf(batch.messages),
      });
    }
  };

  await consumer.connect();
  await consumer.subscribe({ topic: s.topic, fromBeginning: true });
  await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch });

  return { consumer, stop: () => consumer.disconnect(), deadLettered: () => deadLettered };
};
