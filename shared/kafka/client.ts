import { Kafka, logLevel, type Admin, type ITopicConfig, type LogEntry } from 'kafkajs';

export type KafkaSettings = { readonly brokers: readonly string[]; readonly clientId: string; readonly topicPrefix: string };

export type Topics = { readonly userEvents: string; readonly deadLetters: string };

export const topicsFor = (prefix: string): Topics => ({ userEvents: `${prefix}user-events`, deadLetters: `${prefix}dead-letters` });

type Log = (level: 'error' | 'warn' | 'info', message: string, extra: Record<string, unknown>) => void;

/** kafkajs logs through our logger; its chatty INFO lines (joins, rebalances) stay at debug. */
export const createKafka = (s: KafkaSettings, log?: Log): Kafka =>
  new Kafka({
    clientId: s.clientId,
    brokers: [...s.brokers],
    logLevel: log ? logLevel.WARN : logLevel.NOTHING,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...extra } = entry;
        log?.(level === logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : 'info', `kafka: ${message}`, extra);
      },
    retry: { initialRetryTime: 100, retries: 8 },
  });

/**
 * Creates the topics if missing and waits for their leaders: relying on auto-creation races the
 * first producer and gets the defaults (one partition) wrong.
 */
export const ensureTopics = async (admin: Admin, topics: readonly ITopicConfig[]): Promise<void> => {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (missing.length === 0) return;
  try {
    await admin.createTopics({ topics: [...missing], waitForLeaders: true });
  } catch (error) {
    // Another process may have created them in between: that is success.
    const still = new Set(await admin.listTopics());
    if (missing.some((t) => !still.has(t.topic))) throw error;
  }
};

export const topicSpecs = (topics: Topics, partitions: number): ITopicConfig[] => [
  { topic: topics.userEvents, numPartitions: partitions, replicationFactor: 1 },
  { topic: topics.deadLetters, numPartitions: 1, replicationFactor: 1 },
];
