import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { Redis } from 'ioredis';
import { loadConfigOrExit } from '../shared/config/index.js';
import { createKafka, ensureTopics } from '../shared/kafka/client.js';
import { createPool } from '../shared/mysql/pool.js';
import { mysqlSettingsOf } from '../launcher/infrastructure.js';

/**
 * S7's baseline: the same hops as the app, wired by hand with nothing in between — an autocommit
 * INSERT, a kafkajs send with acks -1, a consumer doing ZINCRBY, a ZSCORE behind GET. Configured
 * by the same environment variables as the launcher (database, prefixes), plus BENCH_PORT.
 */
const config = loadConfigOrExit();
const port = Number(process.env.BENCH_PORT ?? '0');
const topic = `${config.KAFKA_TOPIC_PREFIX}bench-chain`;
const boardKey = (date: string) => `${config.REDIS_KEY_PREFIX}chain:day:${date}`;

const pool = createPool(mysqlSettingsOf(config));
await pool.query(`CREATE TABLE IF NOT EXISTS bench_chain_events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id CHAR(36) CHARACTER SET ascii NOT NULL,
  user_id VARCHAR(128) NOT NULL,
  data TEXT NOT NULL,
  recorded_at DATETIME(3) NOT NULL
) ENGINE=InnoDB`);
const redis = new Redis(config.REDIS_URL);
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'bench-chain', topicPrefix: config.KAFKA_TOPIC_PREFIX });
const admin = kafka.admin();
await admin.connect();
await ensureTopics(admin, [{ topic, numPartitions: config.KAFKA_USER_EVENTS_PARTITIONS, replicationFactor: 1 }]);
await admin.disconnect();
const producer = kafka.producer({ allowAutoTopicCreation: false });
await producer.connect();
// The same fetch settings as the leaderboard projector (shared/ runtime defaults: 50 ms, 1 byte).
const consumer = kafka.consumer({ groupId: `${config.PROJECTOR_GROUP_PREFIX}.bench-chain`, maxWaitTimeInMs: 50, minBytes: 1 });
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });

type Night = { user: string; date: string; minutes: number };
const isNight = (v: unknown): v is Night => {
  const n = v as Partial<Night> | null;
  return typeof n === 'object' && n !== null && typeof n.user === 'string' && typeof n.date === 'string' && typeof n.minutes === 'number';
};

await consumer.run({
  eachBatch: async (payload) => {
    const { batch } = payload;
    const pipeline = redis.pipeline();
    for (const message of batch.messages) {
      const night: unknown = JSON.parse(message.value?.toString('utf8') ?? 'null');
      if (isNight(night)) pipeline.zincrby(boardKey(night.date), night.minutes, night.user);
    }
    await pipeline.exec();
    payload.resolveOffset(batch.lastOffset());
    await payload.heartbeat();
  },
});

const bodyOf = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const server = createServer((request, response) => {
  const reply = (status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  const url = new URL(request.url ?? '/', 'http://localhost');
  const work = async () => {
    if (request.method === 'POST' && url.pathname === '/chain/sleep') {
      const night: unknown = JSON.parse(await bodyOf(request));
      if (!isNight(night)) return reply(400, { error: 'user, date, minutes' });
      const value = JSON.stringify(night);
      await pool.query(`INSERT INTO bench_chain_events (event_id, user_id, data, recorded_at) VALUES (?, ?, ?, UTC_TIMESTAMP(3))`, [randomUUID(), night.user, value]);
      await producer.send({ topic, acks: -1, messages: [{ key: night.user, value }] });
      return reply(201, { ok: true });
    }
    if (request.method === 'GET' && url.pathname === '/chain/score') {
      const score = await redis.zscore(boardKey(url.searchParams.get('date') ?? ''), url.searchParams.get('user') ?? '');
      return reply(200, { score: score === null ? null : Number(score) });
    }
    return reply(404, { error: 'no such route' });
  };
  work().catch((error: unknown) => reply(500, { error: String(error) }));
});
server.listen(port, '127.0.0.1', () => console.log(`BENCH_READY ${port}`));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.close();
    void Promise.allSettled([consumer.disconnect(), producer.disconnect(), pool.end()]).then(() => {
      redis.disconnect();
      process.exit(0);
    });
  });
}
