import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import { cleanUp, eventually, testConfig } from '../shared/testing/environment.js';
import { createKafka } from '../shared/kafka/client.js';
import { createPool } from '../shared/mysql/pool.js';
import { mysqlSettingsOf, prepare } from '../launcher/infrastructure.js';
import { ROLES } from '../launcher/roles.js';
import { buildSystem, type System } from '../launcher/system.js';

// The thin slice across every hop, on the real servers: HTTP → MySQL event store → relay →
// Kafka (keyed by user) → projectors → Redis leaderboard and MySQL sleep_logs → read API.
const config = testConfig('e2e');
let system: System;
let pool: mysql.Pool;

beforeAll(async () => {
  await prepare(config, () => undefined);
  system = buildSystem(config, ROLES);
  await system.start();
  pool = createPool({ ...mysqlSettingsOf(config), poolSize: 2 });
});

afterAll(async () => {
  await system?.stop();
  await pool?.end();
  await cleanUp(config);
});

type Board = { entries: { rank: number; score: number; user: { id: string; handle: string | null } }[]; me: { rank: number; score: number } | null };

describe('register, log sleep, see it on the global leaderboard', () => {
  it('crosses every hop', async () => {
    const registered = await system.app.inject({
      method: 'POST',
      url: '/v1/users',
      payload: { handle: 'Sleepy_Ada', displayName: 'Ada', timezone: 'Europe/Berlin', password: 'correct horse battery' },
    });
    expect(registered.statusCode, registered.body).toBe(201);
    const { userId, token } = registered.json<{ userId: string; token: string }>();

    // 22:30 → 06:45 Berlin time: 495 minutes, woke on 2026-11-20 local.
    const logged = await system.app.inject({
      method: 'POST',
      url: '/v1/sleep-logs',
      headers: { authorization: `Bearer ${token}` },
      payload: { startedAt: '2026-11-19T22:30:00+01:00', endedAt: '2026-11-20T06:45:00+01:00', quality: 4 },
    });
    expect(logged.statusCode, logged.body).toBe(201);
    const { logId, revision, position } = logged.json<{ logId: string; revision: number; position: number }>();
    expect(revision).toBe(1);
    expect(position).toBeGreaterThan(0);

    // A second night earlier in the same ISO week (2026-W47): 480 minutes, woke on 2026-11-18.
    const second = await system.app.inject({
      method: 'POST',
      url: '/v1/sleep-logs',
      headers: { authorization: `Bearer ${token}` },
      payload: { startedAt: '2026-11-17T23:00:00+01:00', endedAt: '2026-11-18T07:00:00+01:00' },
    });
    expect(second.statusCode, second.body).toBe(201);

    const board = (period: string) =>
      eventually(async () => {
        const res = await system.app.inject({
          method: 'GET',
          url: `/v1/leaderboards/global?period=${period}&date=2026-11-20`,
          headers: { authorization: `Bearer ${token}` },
        });
        const body = res.json<Board>();
        return body.entries[0]?.user.handle && body.entries[0].score === (period === 'day' ? 495 : 975) ? body : undefined;
      });
    const day = await board('day');
    expect(day.entries).toEqual([{ rank: 1, score: 495, user: { id: userId, handle: 'sleepy_ada', displayName: 'Ada' } }]);
    expect(day.me).toEqual({ rank: 1, score: 495 });
    expect((await board('week')).entries.map((e) => e.score)).toEqual([975]);
    expect((await board('month')).entries.map((e) => e.score)).toEqual([975]);

    // The tables projector writes in batches (up to ~500 ms), independently of the leaderboards.
    const rows = await eventually(async () => {
      const [found] = await pool.query<mysql.RowDataPacket[]>(`SELECT user_id, duration_minutes, wake_date, quality FROM sleep_logs WHERE log_id = ?`, [logId]);
      return found.length > 0 ? found : undefined;
    });
    expect(rows.map((r) => ({ ...r }))).toEqual([{ user_id: userId, duration_minutes: 495, wake_date: '2026-11-20', quality: 4 }]);

    // Every event of the user's stream is on the topic, keyed by the user id, in order.
    const keys = await topicMessages(config.KAFKA_TOPIC_PREFIX + 'user-events', 3);
    expect(keys).toEqual([
      { key: userId, type: 'UserRegistered' },
      { key: userId, type: 'SleepLogged' },
      { key: userId, type: 'SleepLogged' },
    ]);
  });

  it('reports readiness of each dependency', async () => {
    const ready = await system.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode, ready.body).toBe(200);
    expect(ready.json<{ checks: { name: string; ok: boolean }[] }>().checks.map((c) => c.name).sort()).toEqual([
      'kafka',
      'memcached',
      'mysql',
      'projection feeds',
      'projection leaderboards',
      'projection tables',
      'redis',
      // The read API's own connection (no auto-pipelining), checked on its own.
      'redis (reads)',
    ]);
    expect((await system.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
  });

  it('shows every hop: store head, relay checkpoint, projector lag per partition', async () => {
    const view = await eventually(async () => {
      const body = (await system.app.inject({ method: 'GET', url: '/v1/system' })).json<{
        storeHead: number;
        relay: { active: boolean; checkpoint: number };
        projections: { name: string; lag: number; partitions: { partition: number }[] }[];
      }>();
      return body.projections.every((p) => p.lag === 0) && body.relay.checkpoint > 0 ? body : undefined;
    });
    expect(view.relay.active).toBe(true);
    expect(view.storeHead).toBeGreaterThanOrEqual(view.relay.checkpoint);
    expect(view.projections.map((p) => [p.name, p.partitions.length])).toEqual([
      ['leaderboards', 3],
      ['feeds', 3],
      ['tables', 3],
    ]);
  });
});

async function topicMessages(topic: string, count: number): Promise<{ key: string; type: string }[]> {
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'e2e-reader', topicPrefix: '' });
  const consumer = kafka.consumer({ groupId: `${config.PROJECTOR_GROUP_PREFIX}.e2e-reader`, maxWaitTimeInMs: 50 });
  const seen: { key: string; type: string }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }) => {
      seen.push({ key: message.key?.toString() ?? '', type: message.headers?.['event-type']?.toString() ?? '' });
      return Promise.resolve();
    },
  });
  try {
    return await eventually(() => Promise.resolve(seen.length >= count ? seen : undefined));
  } finally {
    await consumer.disconnect();
  }
}
