import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlEventStore } from '../../shared/event-store/mysql/store.js';
import { eventStoreSchema } from '../../shared/event-store/mysql/schema.js';
import type { EventStore } from '../../shared/event-store/port.js';
import { createKafka, ensureTopics } from '../../shared/kafka/client.js';
import { migrate } from '../../shared/mysql/migrate.js';
import { createPool, ensureDatabase } from '../../shared/mysql/pool.js';
import { mysqlSettingsOf } from '../../shared/mysql/settings.js';
import { cleanUp, eventually, testConfig } from '../../shared/testing/environment.js';
import { newEvent } from '../../shared/testing/events.js';
import { mysqlCheckpoint, type Checkpoint } from './checkpoint.js';
import { mysqlLease } from './lease.js';
import { createRelay } from './relay.js';
import { relayMigrations } from './schema.js';

// The relay on the real store, checkpoint table, lock and broker, with sends made to fail by a
// wrapper around the real producer: every event reaches Kafka in order, none is skipped, and the
// saved checkpoint never passes what Kafka acknowledged, also while reading ahead.
const config = testConfig('relay');
let pool: mysql.Pool;
let store: EventStore;
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'relay-test', topicPrefix: '' });

beforeAll(async () => {
  await ensureDatabase(mysqlSettingsOf(config, 4));
  pool = createPool(mysqlSettingsOf(config, 4));
  await migrate(pool, [...eventStoreSchema, ...relayMigrations]);
  store = createMysqlEventStore(pool);
});
afterAll(async () => {
  await pool.end();
  await cleanUp(config);
});

const run = async (name: string, events: number, failSends: ReadonlySet<number>) => {
  const topic = `${config.KAFKA_TOPIC_PREFIX}${name}`;
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [{ topic, numPartitions: 1, replicationFactor: 1 }]);
  await admin.disconnect();
  for (let i = 0; i < events; i++) await store.append(`user-${name}-${i % 7}-${randomUUID()}`, [newEvent('E', { i })], 'no_stream');
  const head = await store.headPosition();

  const real = kafka.producer();
  await real.connect();
  let sends = 0;
  let acked = 0;
  const producer = {
    send: async (record: Parameters<Producer['send']>[0]) => {
      if (failSends.has(sends++)) throw new Error('injected: broker unavailable');
      const result = await real.send(record);
      acked = Math.max(acked, ...record.messages.map((m) => Number(m.headers?.position)));
      return result;
    },
  } as Producer;
  const saves: { position: number; acked: number }[] = [];
  const stored = mysqlCheckpoint(pool, name);
  const checkpoint: Checkpoint = {
    read: () => stored.read(),
    save: async (position) => {
      saves.push({ position, acked });
      await stored.save(position);
    },
  };
  const relay = createRelay(
    { store, producer, checkpoint, lease: mysqlLease(pool, `${config.MYSQL_DATABASE}.${name}`, 50), log: () => undefined },
    { topic, batchSize: 10, pollMs: 5, checkpointEveryMs: 20 },
  );
  const running = relay.run();
  try {
    await eventually(async () => ((await stored.read()) >= head ? true : undefined), 30_000, 20);
  } finally {
    await relay.stop();
    await running;
    await real.disconnect();
  }

  const positions: number[] = [];
  const consumer = kafka.consumer({ groupId: `${config.PROJECTOR_GROUP_PREFIX}.${name}`, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: ({ message }) => Promise.resolve(void positions.push(Number(message.headers?.position?.toString()))) });
  try {
    await eventually(() => Promise.resolve(new Set(positions).size >= head ? true : undefined), 30_000);
  } finally {
    await consumer.disconnect();
  }
  return { positions, saves, head, sends };
};

describe('the relay on real servers', () => {
  it('publishes everything in order and saves only acknowledged positions, not after every batch', async () => {
    const r = await run('in-order', 205, new Set());
    expect(r.positions).toEqual(Array.from({ length: r.head }, (_, i) => i + 1));
    for (const save of r.saves) expect(save.position).toBeLessThanOrEqual(save.acked);
    expect(r.saves.length).toBeLessThan(21); // 21 batches of 10
  });

  it('after failed sends, skips nothing and stays in order', async () => {
    // A fresh checkpoint: the relay publishes every user event in the store, the first test's too.
    const r = await run('failing', 95, new Set([1, 2, 5]));
    const expected = Array.from({ length: r.head }, (_, i) => i + 1);
    expect([...new Set(r.positions)].sort((a, b) => a - b)).toEqual(expected);
    // In order: each message follows the previous one, or restarts at an earlier (already sent) one.
    for (let i = 1; i < r.positions.length; i++) {
      const [previous, current] = [r.positions[i - 1]!, r.positions[i]!];
      expect(current === previous + 1 || current <= previous).toBe(true);
    }
    for (const save of r.saves) expect(save.position).toBeLessThanOrEqual(save.acked);
  });
});
