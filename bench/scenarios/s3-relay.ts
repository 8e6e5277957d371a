import { createRelay } from '../../command-side/relay/relay.js';
import { mysqlCheckpoint } from '../../command-side/relay/checkpoint.js';
import { mysqlLease } from '../../command-side/relay/lease.js';
import { createMysqlEventStore } from '../../shared/event-store/mysql/store.js';
import type { UserId } from '../../shared/events/index.js';
import { createKafka, topicsFor } from '../../shared/kafka/client.js';
import { toMessage } from '../../shared/kafka/event-message.js';
import { appendTo, benchUserId, inParallel, registered, sleptUntil } from '../fixtures.js';
import { throughputs, withCleanup, type Context, type Row, type Scenario } from '../harness.js';
import { isolated, poolOf } from '../isolated.js';

const EVENTS_PER_USER = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const run = (ctx: Context): Promise<Row[]> =>
  withCleanup(async (defer) => {
    const total = ctx.mode === 'quick' ? 5_000 : 20_000;
    const config = await isolated('s3', defer);
    const pool = poolOf(config, config.MYSQL_POOL_SIZE, defer);
    const store = createMysqlEventStore(pool);

    // Fill the store as the command side would: one event per append, users interleaved, so a
    // relay batch spans many users and every partition.
    const users = Array.from({ length: total / EVENTS_PER_USER }, (_, i) => benchUserId('s3', i));
    const filled = performance.now();
    for (let revision = 0; revision < EVENTS_PER_USER; revision++) {
      await inParallel(users, 32, (userId: UserId, i) =>
        appendTo(store, userId, [revision === 0 ? registered(userId, i) : sleptUntil(userId, Date.now() - revision * 86_400_000, 400 + (i % 60))], revision === 0 ? 'no_stream' : revision - 1),
      );
    }
    const head = await store.headPosition();
    ctx.log(`store filled with ${head} events in ${((performance.now() - filled) / 1000).toFixed(1)} s`);

    const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'bench-s3', topicPrefix: config.KAFKA_TOPIC_PREFIX });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    defer(() => producer.disconnect());
    const topic = topicsFor(config.KAFKA_TOPIC_PREFIX).userEvents;
    const batchSize = config.RELAY_BATCH_SIZE;

    // The baseline sends the very messages the relay sends, in batches of the same size, acks -1.
    const messages = (await store.readAll({ afterPosition: 0, limit: head, streamPrefixes: ['user-'] })).map(toMessage);
    const batches = Array.from({ length: Math.ceil(messages.length / batchSize) }, (_, i) => messages.slice(i * batchSize, (i + 1) * batchSize));
    let relayRound = 0;

    const [relayRate, rawRate] = await throughputs(
      [
        {
          label: 'relay 0 → head',
          round: async () => {
            // A fresh checkpoint and lease per round: every round relays the whole store from 0.
            const name = `bench-${relayRound++}`;
            const relay = createRelay(
              { store, producer, checkpoint: mysqlCheckpoint(pool, name), lease: mysqlLease(pool, `${config.MYSQL_DATABASE}.${name}`), log: () => undefined },
              { topic, batchSize, pollMs: config.RELAY_POLL_MS },
            );
            const started = performance.now();
            const running = relay.run();
            while (relay.status().published < messages.length) await sleep(1);
            const seconds = (performance.now() - started) / 1000;
            await relay.stop();
            await running;
            return messages.length / seconds;
          },
        },
        {
          label: 'raw producer.send',
          round: async () => {
            const started = performance.now();
            for (const batch of batches) await producer.send({ topic, acks: -1, messages: batch });
            return messages.length / ((performance.now() - started) / 1000);
          },
        },
      ],
      ctx.budget,
      ctx.log,
    );
    return [
      {
        scenario: 'S3',
        metric: `relay ${messages.length} events checkpoint 0 → head vs raw kafkajs send (batches of ${batchSize}, acks -1)`,
        unit: 'events/s',
        a: relayRate,
        b: rawRate,
        goal: { kind: 'ratio-at-least', value: 0.8 },
      },
    ];
  });

export const s3: Scenario = { id: 'S3', title: 'relay (store → Kafka) vs raw kafkajs producer', run };
