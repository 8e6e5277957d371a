import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { Admin, Consumer } from 'kafkajs';
import type mysql from 'mysql2/promise';
import { createMysqlEventStore } from '../shared/event-store/mysql/store.js';
import type { EventStore } from '../shared/event-store/port.js';
import { createKafka } from '../shared/kafka/client.js';
import { createPool } from '../shared/mysql/pool.js';
import { cleanUp, eventually, testConfig } from '../shared/testing/environment.js';
import { mysqlCheckpoint } from '../command-side/relay/checkpoint.js';
import { mysqlLease } from '../command-side/relay/lease.js';
import { createRelay } from '../command-side/relay/relay.js';
import { mysqlSettingsOf, prepare } from '../launcher/infrastructure.js';
import { buildSystem, type System } from '../launcher/system.js';
import { expectedBoards } from './oracle.js';
import { appendUserEvents, freePort, projectorGroups, redisBoards, userWithNights, waitDrained } from './pipeline-support.js';

// Redelivery and fault tests of relay → Kafka → projectors, on the real servers. After every fault
// the read models must equal a fold of the event store: no night counted twice, none lost.
const config = testConfig('pipeline');
let pool: mysql.Pool;
let store: EventStore;
let redis: Redis;
let admin: Admin;
const checkpoint = () => mysqlCheckpoint(pool, 'user-events').read();
const topic = `${config.KAFKA_TOPIC_PREFIX}user-events`;

const asObject = (boards: Map<string, Map<string, number>>) =>
  Object.fromEntries([...boards].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, Object.fromEntries([...v].sort(([a], [b]) => a.localeCompare(b)))]));
const expectReadModelsMatchStore = async () => {
  expect(asObject(await redisBoards(redis, config.REDIS_KEY_PREFIX))).toEqual(asObject(await expectedBoards(store, config.REDIS_KEY_PREFIX)));
  const [[logs], [expected]] = await Promise.all([
    pool.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM sleep_logs`),
    pool.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM events WHERE stream_id LIKE 'user-%' AND type = 'SleepLogged'`),
  ]);
  expect(Number(logs[0]?.n)).toBe(Number(expected[0]?.n));
};
const withSystem = async (roles: Parameters<typeof buildSystem>[1], work: (s: System) => Promise<void>) => {
  const system = buildSystem(config, roles);
  await system.start();
  try {
    await work(system);
  } finally {
    await system.stop();
  }
};

beforeAll(async () => {
  await prepare(config, () => undefined);
  pool = createPool({ ...mysqlSettingsOf(config), poolSize: 8 });
  store = createMysqlEventStore(pool);
  redis = new Redis(config.REDIS_URL);
  admin = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'pipeline-test', topicPrefix: '' }).admin();
  await admin.connect();
});
afterAll(async () => {
  await admin?.disconnect();
  redis?.disconnect();
  await pool?.end();
  await cleanUp(config);
});

// Each test drives the whole pipeline (and one spawns a process); under a loaded CI they need room.
describe('relay and projectors under faults', { timeout: 180_000 }, () => {
  it('dead-letters a poison event with its origin and keeps going', async () => {
    const userId = randomUUID();
    await appendUserEvents(store, userId, userWithNights(userId, 1));
    await appendUserEvents(store, userId, [{ type: 'SleepGlitched', data: { nonsense: true } }]);
    await appendUserEvents(store, userId, userWithNights(userId, 3).slice(2)); // one more night after the poison
    const dead: { headers: Record<string, string> }[] = [];
    const reader: Consumer = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'dlq-reader', topicPrefix: '' }).consumer({
      groupId: `${config.PROJECTOR_GROUP_PREFIX}.dlq-reader`,
      maxWaitTimeInMs: 50,
    });
    await reader.connect();
    await reader.subscribe({ topic: `${config.KAFKA_TOPIC_PREFIX}dead-letters`, fromBeginning: true });
    await reader.run({
      eachMessage: ({ message }) => {
        dead.push({ headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])) });
        return Promise.resolve();
      },
    });
    try {
      await withSystem(['relay', 'projector'], async () => {
        await waitDrained(admin, config, store, checkpoint);
        await eventually(() => Promise.resolve(dead.length >= 3 ? true : undefined));
      });
    } finally {
      await reader.disconnect();
    }
    expect(dead.map((d) => d.headers.projection).sort()).toEqual(['feeds', 'leaderboards', 'tables']);
    expect(dead[0]?.headers).toMatchObject({ 'origin-topic': topic, error: expect.stringContaining('SleepGlitched') as unknown });
    expect(Number(dead[0]?.headers['origin-offset'])).toBeGreaterThanOrEqual(0);
    await expectReadModelsMatchStore(); // the night after the poison was projected
  });

  it('replaying every partition from the beginning changes no total', async () => {
    for (let i = 0; i < 5; i++) {
      const userId = randomUUID();
      await appendUserEvents(store, userId, userWithNights(userId, 10));
    }
    await withSystem(['relay', 'projector'], () => waitDrained(admin, config, store, checkpoint));
    await expectReadModelsMatchStore();
    for (const groupId of projectorGroups(config)) await admin.resetOffsets({ groupId, topic, earliest: true });
    await withSystem(['projector'], () => waitDrained(admin, config, store, checkpoint));
    await expectReadModelsMatchStore();
  });

  it('resetting the relay checkpoint republishes everything and changes no total', async () => {
    await pool.query(`UPDATE relay_checkpoints SET position = 0`);
    const before = await admin.fetchTopicOffsets(topic);
    await withSystem(['relay', 'projector'], () => waitDrained(admin, config, store, checkpoint));
    const after = await admin.fetchTopicOffsets(topic);
    const published = (o: typeof before) => o.reduce((n, p) => n + Number(p.high), 0);
    expect(published(after)).toBeGreaterThan(published(before)); // the events really went out again
    await expectReadModelsMatchStore();
  });

  it('keeps one relay active; a standby takes over when the active one dies', async () => {
    const relays = [0, 1].map((i) => {
      const relayPool = createPool({ ...mysqlSettingsOf(config), poolSize: 2 });
      const producer = createKafka({ brokers: config.KAFKA_BROKERS, clientId: `relay-${i}`, topicPrefix: '' }).producer();
      const relay = createRelay(
        { store, producer, checkpoint: mysqlCheckpoint(relayPool, 'user-events'), lease: mysqlLease(relayPool, `${config.MYSQL_DATABASE}.relay`, 100), log: () => undefined },
        { topic, batchSize: 100, pollMs: 20 },
      );
      return { relay, relayPool, producer };
    });
    await Promise.all(relays.map((r) => r.producer.connect()));
    const runs = relays.map((r) => r.relay.run());
    try {
      await eventually(() => Promise.resolve(relays.some((r) => r.relay.status().active) ? true : undefined));
      await new Promise((r) => setTimeout(r, 300));
      expect(relays.filter((r) => r.relay.status().active)).toHaveLength(1);
      const active = relays.findIndex((r) => r.relay.status().active);
      const standby = relays[1 - active]!;

      // The active relay's process "dies": its lock connection is killed by the server.
      const [locks] = await pool.query<mysql.RowDataPacket[]>(`SELECT IS_USED_LOCK(?) AS id`, [`${config.MYSQL_DATABASE}.relay`]);
      await pool.query(`KILL ${Number(locks[0]?.id)}`);
      await eventually(() => Promise.resolve(standby.relay.status().active ? true : undefined), 10_000);

      const userId = randomUUID();
      await appendUserEvents(store, userId, userWithNights(userId, 2));
      await withSystem(['projector'], () => waitDrained(admin, config, store, () => standby.relay.status().active ? checkpoint() : Promise.resolve(-1)));
      await expectReadModelsMatchStore();
    } finally {
      await Promise.all(relays.map((r) => r.relay.stop()));
      await Promise.all(runs.map((run) => run.catch(() => undefined)));
      await Promise.all(relays.map((r) => r.producer.disconnect()));
      await Promise.all(relays.map((r) => r.relayPool.end()));
    }
  });

  it('a projector process killed (SIGKILL) mid-work resumes without counting anything twice', async () => {
    for (let i = 0; i < 30; i++) {
      const userId = randomUUID();
      await appendUserEvents(store, userId, userWithNights(userId, 30, 300 + i));
    }
    await withSystem(['relay'], async () => {
      await eventually(async () => ((await checkpoint()) >= (await store.headPosition()) ? true : undefined), 30_000);
    });
    const guardKey = `${config.REDIS_KEY_PREFIX}lb:guard`;
    const before = await redis.hlen(guardKey);

    const start = async (): Promise<ChildProcess> => {
      const port = await freePort();
      const child = spawn('node_modules/.bin/tsx', ['launcher/main.ts', '--role', 'projector'], {
        env: {
          ...process.env,
          PORT: String(port),
          LOG_LEVEL: 'warn',
          MYSQL_DATABASE: config.MYSQL_DATABASE,
          REDIS_KEY_PREFIX: config.REDIS_KEY_PREFIX,
          KAFKA_TOPIC_PREFIX: config.KAFKA_TOPIC_PREFIX,
          KAFKA_USER_EVENTS_PARTITIONS: String(config.KAFKA_USER_EVENTS_PARTITIONS),
          PROJECTOR_GROUP_PREFIX: config.PROJECTOR_GROUP_PREFIX,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // The child's own log, for a post-mortem when this test fails.
      const log = createWriteStream(join(tmpdir(), `sleepsocial-projector-kill-test-${port}.log`));
      child.stdout?.pipe(log);
      child.stderr?.pipe(log);
      return child;
    };

    const first = await start();
    // Kill it while it is part-way through the backlog.
    await eventually(async () => ((await redis.hlen(guardKey)) > before + 3 ? true : undefined), 60_000, 5);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const progressAtKill = (await redis.hlen(guardKey)) - before;
    expect(progressAtKill).toBeLessThan(30); // it really died mid-way

    const second = await start();
    try {
      await waitDrained(admin, config, store, checkpoint, 90_000);
    } finally {
      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));
    }
    await expectReadModelsMatchStore();
  });
});
