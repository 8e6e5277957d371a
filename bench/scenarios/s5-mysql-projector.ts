import type mysql from 'mysql2/promise';
import { withProgress } from '../../projections/runtime/progress.js';
import { runProjector } from '../../projections/runtime/run.js';
import { tablesProjector } from '../../projections/tables/projector.js';
import { deleteKeys } from '../../projections/feeds/testing.js';
import { memcachedCache } from '../../shared/memcached/client.js';
import { Redis } from 'ioredis';
import { throughputs, withCleanup, type Context, type Row, type Scenario } from '../harness.js';
import { isolated, poolOf } from '../isolated.js';
import { committedToEnd, deleteGroups, fillTopic, rawConsumer, timedPass } from '../projection-topic.js';

const FOLLOWS = 10;
const NIGHTS = 10;
/** The tables projector's fetch settings in the launcher: a batch at 64 KiB or after 500 ms. */
const FETCH = { maxWaitTimeInMs: 500, minBytes: 64 * 1024 };
const TABLES = ['projection_guards', 'users', 'sleep_logs', 'follows', 'follow_counts'];

type RawEvent = {
  readonly type: string;
  readonly data: Record<string, string | number | null>;
  readonly metadata: { readonly occurredAt: string };
};

/** MySQL DATETIME(3) literal of an ISO instant (UTC), as the projector writes it. */
const dt = (iso: unknown): string => String(iso).replace('T', ' ').replace('Z', '');

/**
 * The MySQL tables projector through the real runtime, as the launcher runs it (profile cache
 * refresh in Memcached, progress in Redis), from offset 0 to the end of a pre-filled topic, against
 * a raw kafkajs consumer that writes the same rows with one multi-row upsert per table in one
 * transaction per batch.
 */
const run = (ctx: Context): Promise<Row[]> =>
  withCleanup(async (defer) => {
    const users = ctx.mode === 'quick' ? 300 : 1_000;
    const config = await isolated('s5', defer);
    const input = await fillTopic(config, { users, follows: FOLLOWS, logs: NIGHTS }, defer, ctx.log);
    const groups: string[] = [];
    defer(() => deleteGroups(input.kafka, groups));
    const pool = poolOf(config, config.MYSQL_POOL_SIZE, defer);
    const redis = new Redis(config.REDIS_URL);
    defer(() => Promise.resolve(redis.disconnect()));
    const cache = memcachedCache(config.MEMCACHED_SERVERS);
    defer(() => Promise.resolve(cache.close()));
    const log = (level: 'info' | 'warn' | 'error', message: string) => {
      if (level !== 'info') ctx.log(`projector ${level}: ${message}`);
    };
    let round = 0;
    // Every pass starts from empty tables (so nothing is skipped as already applied) and a fresh
    // consumer group; emptying them is not timed.
    const fresh = async () => {
      for (const table of TABLES) await pool.query(`TRUNCATE TABLE ${table}`);
      const n = round++;
      const group = `${config.PROJECTOR_GROUP_PREFIX}.s5.${n}`;
      groups.push(group);
      return { prefix: `${config.REDIS_KEY_PREFIX}r${n}:`, group };
    };

    const projector = async () => {
      const { prefix, group } = await fresh();
      const rate = await timedPass(input.total, async () => {
        const tables = tablesProjector(pool, { cache, prefix, onError: (e) => ctx.log(`profile cache refresh failed: ${String(e)}`) });
        const running = await runProjector(
          withProgress(tables, redis, prefix),
          { kafka: input.kafka, producer: input.producer, store: input.store, log },
          { topic: input.topic, deadLetterTopic: input.deadLetterTopic, groupId: group, maxWaitMs: FETCH.maxWaitTimeInMs, minBytes: FETCH.minBytes },
        );
        return { done: committedToEnd(running.consumer, input.ends), stop: () => running.stop() };
      });
      await deleteKeys(redis, prefix);
      return rate;
    };

    const raw = async () => {
      const { group } = await fresh();
      return timedPass(input.total, async () => {
        const consumer = await rawConsumer(input.kafka, { groupId: group, ...FETCH }, input.topic, async ({ batch }) => {
          const userRows: unknown[][] = [];
          const logRows: unknown[][] = [];
          const followRows: unknown[][] = [];
          const counts = new Map<string, { followers: number; following: number }>();
          const count = (userId: string) => counts.get(userId) ?? counts.set(userId, { followers: 0, following: 0 }).get(userId) ?? { followers: 0, following: 0 };
          for (const message of batch.messages) {
            const e = JSON.parse(message.value?.toString('utf8') ?? 'null') as RawEvent;
            const d = e.data;
            if (e.type === 'UserRegistered') userRows.push([d.userId, d.handle, d.displayName, d.timezone, dt(e.metadata.occurredAt)]);
            else if (e.type === 'SleepLogged')
              logRows.push([d.logId, d.userId, dt(d.startedAt), dt(d.endedAt), d.durationMinutes, d.timezone, d.wakeDate, d.quality, d.note, dt(e.metadata.occurredAt)]);
            else if (e.type === 'Followed') {
              followRows.push([d.userId, d.followeeId, dt(e.metadata.occurredAt)]);
              count(String(d.userId)).following++;
              count(String(d.followeeId)).followers++;
            }
          }
          const conn = await pool.getConnection();
          try {
            await conn.beginTransaction();
            if (userRows.length > 0)
              await conn.query(
                `INSERT INTO users (user_id, handle, display_name, timezone, registered_at) VALUES ?
                 ON DUPLICATE KEY UPDATE handle = VALUES(handle), display_name = VALUES(display_name), timezone = VALUES(timezone)`,
                [userRows],
              );
            if (logRows.length > 0)
              await conn.query(
                `INSERT INTO sleep_logs (log_id, user_id, started_at, ended_at, duration_minutes, timezone, wake_date, quality, note, updated_at) VALUES ?
                 ON DUPLICATE KEY UPDATE started_at = VALUES(started_at), ended_at = VALUES(ended_at), duration_minutes = VALUES(duration_minutes),
                   timezone = VALUES(timezone), wake_date = VALUES(wake_date), quality = VALUES(quality), note = VALUES(note), updated_at = VALUES(updated_at)`,
                [logRows],
              );
            if (followRows.length > 0) {
              await conn.query(`INSERT INTO follows (follower_id, followee_id, since) VALUES ? ON DUPLICATE KEY UPDATE since = VALUES(since)`, [followRows]);
              await conn.query(
                `INSERT INTO follow_counts (user_id, followers, following) VALUES ?
                 ON DUPLICATE KEY UPDATE followers = followers + VALUES(followers), following = following + VALUES(following)`,
                [[...counts].map(([userId, c]) => [userId, c.followers, c.following])],
              );
            }
            await conn.commit();
          } catch (error) {
            await conn.rollback().catch(() => undefined);
            throw error;
          } finally {
            conn.release();
          }
        });
        return { done: committedToEnd(consumer, input.ends), stop: () => consumer.disconnect() };
      });
    };

    const [a, b] = await throughputs(
      [
        { label: 'tables projector', round: projector },
        { label: 'raw consumer + multi-row upserts', round: raw },
      ],
      ctx.budget,
      ctx.log,
    );
    const [rows] = await pool.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM sleep_logs`);
    ctx.log(`last pass left ${String(rows[0]?.n)} sleep logs (expected ${users * NIGHTS})`);
    return [
      {
        scenario: 'S5',
        metric: `MySQL tables projector over ${input.total} events, offset 0 → end, vs raw consumer + multi-row upserts in one transaction per batch`,
        unit: 'events/s',
        a,
        b,
        goal: { kind: 'ratio-at-least', value: 0.7 },
      },
    ];
  });

export const s5: Scenario = { id: 'S5', title: 'MySQL tables projector vs raw consumer + multi-row upsert per batch', run };
