import type { Consumer, ConsumerConfig, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type { Config } from '../shared/config/index.js';
import { createMysqlEventStore } from '../shared/event-store/mysql/store.js';
import type { EventStore } from '../shared/event-store/port.js';
import type { UserEvent, UserId } from '../shared/events/index.js';
import { createKafka, topicsFor } from '../shared/kafka/client.js';
import { toMessage } from '../shared/kafka/event-message.js';
import { appendTo, benchUserId, followed, inParallel, registered, sleptUntil } from './fixtures.js';
import type { Log } from './harness.js';
import { poolOf } from './isolated.js';

/**
 * The input of the projector scenarios (S4, S5): a user-events topic pre-filled, through the real
 * store and the relay's message encoding, with `users` users who each register and follow
 * `follows` others (user j follows j-1 … j-F, so everyone also has F followers), then log `logs`
 * nights. All registrations and follows come before all nights in the store's global order and so
 * in every partition.
 */
export type TopicShape = { readonly users: number; readonly follows: number; readonly logs: number };

export type FilledTopic = {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly store: EventStore;
  readonly topic: string;
  readonly deadLetterTopic: string;
  /** Messages in the topic. */
  readonly total: number;
  /** Partition → high watermark (the offset a consumer has committed once it read everything). */
  readonly ends: ReadonlyMap<number, string>;
  readonly userIds: readonly UserId[];
  /** Followers of each user, as the follows in the topic make them. */
  readonly followersOf: ReadonlyMap<string, readonly string[]>;
};

const HOUR = 3_600_000;

export const fillTopic = async (config: Config, shape: TopicShape, defer: (stop: () => Promise<unknown>) => void, log: Log): Promise<FilledTopic> => {
  const pool = poolOf(config, 16, defer);
  const store = createMysqlEventStore(pool);
  const userIds = Array.from({ length: shape.users }, (_, i) => benchUserId(config.MYSQL_DATABASE, i));
  const followeesOf = (j: number): UserId[] => Array.from({ length: shape.follows }, (_, k) => userIds[(j - 1 - k + shape.users * 2) % shape.users] as UserId);
  const followersOf = new Map<string, string[]>();
  userIds.forEach((follower, j) => {
    for (const followee of followeesOf(j)) followersOf.set(followee, [...(followersOf.get(followee) ?? []), follower]);
  });

  const filled = performance.now();
  await inParallel(userIds, 32, (userId: UserId, j) => appendTo(store, userId, [registered(userId, j), ...followeesOf(j).map((f) => followed(userId, f))], 'no_stream'));
  // Nights two hours apart ending from an hour ago: within every retention, none overlapping.
  const latestEnd = Math.floor(Date.now() / 60_000) * 60_000 - HOUR;
  await inParallel(userIds, 32, (userId: UserId, j) =>
    appendTo(
      store,
      userId,
      Array.from({ length: shape.logs }, (_, n): UserEvent => sleptUntil(userId, latestEnd - n * 2 * HOUR, 60 + ((j * 37 + n * 11) % 60))),
      shape.follows,
    ),
  );

  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'bench-projection', topicPrefix: config.KAFKA_TOPIC_PREFIX });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  defer(() => producer.disconnect());
  const topics = topicsFor(config.KAFKA_TOPIC_PREFIX);
  let after = 0;
  let total = 0;
  for (;;) {
    const page = await store.readAll({ afterPosition: after, limit: 500, streamPrefixes: ['user-'] });
    const last = page[page.length - 1];
    if (!last) break;
    await producer.send({ topic: topics.userEvents, acks: -1, messages: page.map(toMessage) });
    after = last.metadata.position;
    total += page.length;
  }

  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topics.userEvents)).filter((p) => p.high !== p.low).map((p) => [p.partition, p.high]));
  await admin.disconnect();
  log(`topic filled with ${total} events (${shape.users} users × (1 registration + ${shape.follows} follows + ${shape.logs} nights)) in ${((performance.now() - filled) / 1000).toFixed(1)} s`);
  return { kafka, producer, store, topic: topics.userEvents, deadLetterTopic: topics.deadLetters, total, ends, userIds, followersOf };
};

/**
 * Resolves once the consumer has committed, on every partition, the topic's end: the moment a
 * consumer group has durably read everything. Listen before the first fetch can complete (right
 * after `run` resolves is soon enough: fetching needs a round trip to the broker).
 */
export const committedToEnd = (consumer: Consumer, ends: ReadonlyMap<number, string>): Promise<void> =>
  new Promise((resolve) => {
    const left = new Map(ends);
    if (left.size === 0) resolve();
    const off = consumer.on(consumer.events.COMMIT_OFFSETS, (event) => {
      for (const topic of event.payload.topics) {
        for (const { partition, offset } of topic.partitions) {
          // kafkajs' own commits (autoCommit) name partitions as strings, commitOffsets([...]) as given.
          const end = left.get(Number(partition));
          if (end !== undefined && BigInt(offset) >= BigInt(end)) left.delete(Number(partition));
        }
      }
      if (left.size === 0) {
        off();
        resolve();
      }
    });
  });

/**
 * A plain kafkajs consumer of the topic from offset 0 (a fresh group), with kafkajs' defaults:
 * offsets resolved and committed after every batch.
 */
export const rawConsumer = async (
  kafka: Kafka,
  settings: Pick<ConsumerConfig, 'groupId' | 'maxWaitTimeInMs' | 'minBytes'>,
  topic: string,
  eachBatch: (payload: EachBatchPayload) => Promise<void>,
): Promise<Consumer> => {
  const consumer = kafka.consumer({ ...settings, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ partitionsConsumedConcurrently: 1, eachBatch });
  return consumer;
};

/** Removes the bench's consumer groups at the end (they hold offsets of a topic about to go). */
export const deleteGroups = async (kafka: Kafka, groups: readonly string[]): Promise<void> => {
  if (groups.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteGroups([...groups]);
  } finally {
    await admin.disconnect();
  }
};

/** Events per second of one pass over the topic: `start` returns once the consumer(s) joined. */
export const timedPass = async (total: number, start: () => Promise<{ done: Promise<unknown>; stop: () => Promise<unknown> }>, timeoutMs = 120_000): Promise<number> => {
  const pass = await start();
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      pass.done,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the pass did not reach the end of the topic within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return total / ((performance.now() - started) / 1000);
  } finally {
    clearTimeout(timer);
    await pass.stop();
  }
};
