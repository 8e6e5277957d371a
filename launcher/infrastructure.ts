import type { Redis } from 'ioredis';
import { createRedis } from '../shared/redis/client.js';
import type { Kafka } from 'kafkajs';
import type mysql from 'mysql2/promise';
import type { Config } from '../shared/config/index.js';
import { createKafka, ensureTopics, topicsFor, topicSpecs, type Topics } from '../shared/kafka/client.js';
import { createPool, ensureDatabase } from '../shared/mysql/pool.js';
import { mysqlSettingsOf } from '../shared/mysql/settings.js';
import { migrate, type Migration } from '../shared/mysql/migrate.js';
import { eventStoreSchema } from '../shared/event-store/mysql/schema.js';
import { relayMigrations } from '../command-side/relay/schema.js';
import { idempotencyMigrations } from '../command-side/idempotency/schema.js';
import { tableMigrations } from '../projections/tables/schema.js';
import { deadLetterMigrations } from '../shared/dead-letters/handled.js';

export { mysqlSettingsOf } from '../shared/mysql/settings.js';

export const allMigrations: readonly Migration[] = [
  ...eventStoreSchema,
  ...relayMigrations,
  ...idempotencyMigrations,
  ...tableMigrations,
  ...deadLetterMigrations,
];

export type Log = (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;

/** Creates the database, applies pending migrations and creates the Kafka topics. Idempotent. */
export const prepare = async (c: Config, log: Log): Promise<void> => {
  const settings = mysqlSettingsOf(c);
  await ensureDatabase(settings);
  const pool = createPool({ ...settings, poolSize: 1 });
  try {
    await migrate(pool, allMigrations, (line) => log('info', line));
  } finally {
    await pool.end();
  }
  const kafka = createKafka({ brokers: c.KAFKA_BROKERS, clientId: `${c.KAFKA_CLIENT_ID}-migrate`, topicPrefix: c.KAFKA_TOPIC_PREFIX });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, topicSpecs(topicsFor(c.KAFKA_TOPIC_PREFIX), c.KAFKA_USER_EVENTS_PARTITIONS));
  } finally {
    await admin.disconnect();
  }
};

export type Infrastructure = {
  readonly pool: mysql.Pool;
  readonly redis: Redis;
  readonly kafka: Kafka;
  readonly topics: Topics;
};

export const connect = (c: Config, log: Log): Infrastructure => ({
  pool: createPool(mysqlSettingsOf(c)),
  redis: createRedis(c.REDIS_URL),
  kafka: createKafka({ brokers: c.KAFKA_BROKERS, clientId: c.KAFKA_CLIENT_ID, topicPrefix: c.KAFKA_TOPIC_PREFIX }, log),
  topics: topicsFor(c.KAFKA_TOPIC_PREFIX),
});
