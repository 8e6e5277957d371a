import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import * as E from 'fp-ts/lib/Either.js';
import type { EventStore } from '../../shared/event-store/port.js';
import { fromMessage } from '../../shared/kafka/event-message.js';
import type { ProjectionItem, Projector } from './projector.js';
import { RevisionGap } from './projector.js';
import { toProjectionItem } from './decode.js';

export type ProjectorLog = (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;

export type ProjectorRuntimeDeps = {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly store: EventStore;
  readonly log: ProjectorLog;
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

/**
 * Runs one projector as a Kafka consumer group. Offsets are committed only after the effects are
 * durable; poison messages go to the dead-letter topic with their origin; transient failures are
 * retried with back-off and jitter (never dead-lettered); a revision gap is repaired from the
 * event store before the batch is applied again.
 */
export const runProjector = async (projector: Projector, deps: ProjectorRuntimeDeps, s: ProjectorRuntimeSettings): Promise<RunningProjector> => {
  const consumer = deps.kafka.consumer({ groupId: s.groupId, maxWaitTimeInMs: s.maxWaitMs ?? 50, minBytes: s.minBytes ?? 1, allowAutoTopicCreation: false });
  let deadLettered = 0;

  const deadLetter = async (payload: EachBatchPayload, offset: string, error: string, value: Buffer | null) => {
    const { batch } = payload;
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
    deps.log('warn', `${projector.name}: dead-lettered a message`, { topic: batch.topic, partition: batch.partition, offset, error });
  };

  const repairGap = async (gap: RevisionGap): Promise<void> => {
    deps.log('warn', `${projector.name}: ${gap.message}; repairing from the event store`);
    const missing = await deps.store.readStream(gap.streamId, { fromRevision: gap.nextExpected });
    const items = missing.filter((e) => e.metadata.revision < gap.arrived).map((e) => toProjectionItem(e).item);
    await projector.apply(items);
  };

  const applyWithRetry = async (items: ProjectionItem[], payload: EachBatchPayload): Promise<boolean> => {
    for (let attempt = 0; ; attempt++) {
      if (!payload.isRunning() || payload.isStale()) return false;
      try {
        await projector.apply(items);
        return true;
      } catch (error) {
        if (error instanceof RevisionGap) {
          await repairGap(error).catch((e: unknown) => deps.log('warn', `${projector.name}: gap repair failed`, { error: String(e) }));
          continue;
        }
        const wait = backoff(attempt);
        deps.log('warn', `${projector.name}: apply failed, retrying`, { error: error instanceof Error ? error.message : String(error), attempt, waitMs: Math.round(wait) });
        await sleep(wait);
        await payload.heartbeat();
      }
    }
  };

  const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    const items: ProjectionItem[] = [];
    for (const message of batch.messages) {
      const envelope = fromMessage(message.value);
      if (E.isLeft(envelope)) {
        await deadLetter(payload, message.offset, envelope.left, message.value);
        continue;
      }
      const decoded = toProjectionItem(envelope.right);
      if (decoded.error) await deadLetter(payload, message.offset, decoded.error, message.value);
      items.push(decoded.item);
    }
    if (items.length > 0 && !(await applyWithRetry(items, payload))) return; // stopping or rebalanced: uncommitted, redelivered later
    const last = batch.lastOffset();
    payload.resolveOffset(last);
    await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
    await payload.heartbeat();
  };

  await consumer.connect();
  await consumer.subscribe({ topic: s.topic, fromBeginning: true });
  await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch });

  return { consumer, stop: () => consumer.disconnect(), deadLettered: () => deadLettered };
};
