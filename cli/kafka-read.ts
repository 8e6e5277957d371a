import { randomBytes } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

export type TopicMessage = KafkaMessage & { readonly partition: number };

/**
 * Reads a topic from its start up to the end it had when the read began, with a fresh consumer
 * group that commits nothing and is deleted afterwards, so no projector's offsets are touched.
 */
export const readTopicToEnd = async (kafka: Kafka, topic: string, groupPrefix: string, timeoutMs = 30_000): Promise<TopicMessage[]> => {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `${groupPrefix}.cli-${randomBytes(4).toString('hex')}`;
  try {
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, { low: BigInt(p.low), high: BigInt(p.high) }]));
    const pending = new Set([...ends].filter(([, e]) => e.high > e.low).map(([p]) => p));
    const messages: TopicMessage[] = [];
    if (pending.size === 0) return messages;
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`could not read ${topic} to its end within ${timeoutMs} ms`)), timeoutMs);
        consumer
          .run({
            autoCommit: false,
            eachMessage: ({ partition, message }) => {
              const end = ends.get(partition)?.high ?? 0n;
              if (BigInt(message.offset) < end) messages.push({ ...message, partition });
              if (BigInt(message.offset) + 1n >= end) pending.delete(partition);
              if (pending.size === 0) {
                clearTimeout(timer);
                resolve();
              }
              return Promise.resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return messages.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
};

/** Messages on a topic now: the sum over partitions of high − low watermark. */
export const topicSize = async (kafka: Kafka, topic: string): Promise<number> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(BigInt(p.high) - BigInt(p.low)), 0);
  } finally {
    await admin.disconnect();
  }
};
