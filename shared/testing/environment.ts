import { randomBytes } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { Redis } from 'ioredis';
import { decodeConfig, formatConfigErrors, type Config } from '../config/index.js';
import { createKafka } from '../kafka/client.js';
import { dropDatabase } from '../mysql/pool.js';
import { mysqlSettingsOf } from '../mysql/settings.js';

/**
 * A private slice of the shared local servers for one test file: its own MySQL database, Redis
 * key prefix, Kafka topic prefix and consumer groups, so test files can run in parallel and leave
 * nothing behind.
 */
export const testConfig = (name: string, overrides: Record<string, string> = {}): Config => {
  const id = `${name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const decoded = decodeConfig({
    ...process.env,
    MYSQL_DATABASE: `sstest_${id}`.slice(0, 64),
    REDIS_KEY_PREFIX: `sstest:${id}:`,
    KAFKA_TOPIC_PREFIX: `sstest.${id}.`,
    KAFKA_USER_EVENTS_PARTITIONS: '3',
    PROJECTOR_GROUP_PREFIX: `sstest.${id}`,
    LOG_LEVEL: 'warn',
    ...overrides,
  });
  if (E.isLeft(decoded)) throw new Error(formatConfigErrors(decoded.left));
  return decoded.right;
};

/** Removes what a test's config created on the servers. */
export const cleanUp = async (config: Config): Promise<void> => {
  await dropDatabase(mysqlSettingsOf(config, 1));
  const redis = new Redis(config.REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.REDIS_KEY_PREFIX}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  const admin = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'test-cleanup', topicPrefix: '' }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(config.KAFKA_TOPIC_PREFIX));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
};

/** Polls until `probe` returns a value (not undefined) or the time is up; for eventual consistency. */
export const eventually = async <A>(probe: () => Promise<A | undefined>, timeoutMs = 20_000, everyMs = 50): Promise<A> => {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${lastError instanceof Error ? `; last error: ${lastError.message}` : ''}`);
};
