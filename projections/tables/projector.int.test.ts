import { mysqlSettingsOf } from '../../shared/mysql/settings.js';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import type { CalendarDate, DisplayName, Handle, LogId, SleepLogFacts, TimeZone, UserEvent, UserId, UtcInstant } from '../../shared/events/index.js';
import { memcachedCache, type Cache } from '../../shared/memcached/client.js';
import { migrate } from '../../shared/mysql/migrate.js';
import { createPool, ensureDatabase } from '../../shared/mysql/pool.js';
import { profileKey } from '../../shared/profiles/profile.js';
import { cleanUp, testConfig } from '../../shared/testing/environment.js';
import { RevisionGap } from '../runtime/projector.js';
import { streamBuilder } from '../runtime/testing.js';
import { tableMigrations } from './schema.js';
import { tablesProjector } from './projector.js';

const config = testConfig('tables');
let pool: mysql.Pool;
let cache: Cache;
const errors: unknown[] = [];

beforeAll(async () => {
  const settings = mysqlSettingsOf(config, 4);
  await ensureDatabase(settings);
  pool = createPool(settings);
  await migrate(pool, tableMigrations);
  cache = memcachedCache(config.MEMCACHED_SERVERS);
});
afterAll(async () => {
  cache.close();
  await pool.end();
  await cleanUp(config);
});

const registered = (userId: string, handle: string): UserEvent => ({
  type: 'UserRegistered',
  data: { userId: userId as UserId, handle: handle as Handle, displayName: handle as DisplayName, timezone: 'UTC' as TimeZone },
});
const slept = (userId: string, logId: string, minutes: number): UserEvent => ({ type: 'SleepLogged', data: facts(userId, logId, minutes) });
const facts = (userId: string, logId: string, minutes: number): SleepLogFacts => ({
    userId: userId as UserId,
    logId: logId as LogId,
    startedAt: '2026-11-20T22:00:00.000Z' as UtcInstant,
    endedAt: new Date(Date.parse('2026-11-20T22:00:00.000Z') + minutes * 60_000).toISOString() as UtcInstant,
    durationMinutes: minutes,
    timezone: 'UTC' as TimeZone,
    wakeDate: '2026-11-21' as CalendarDate,
    quality: null,
    note: null,
});
const rows = async (sql: string, params: unknown[] = []) => (await pool.query<mysql.RowDataPacket[]>(sql, params))[0].map((r) => ({ ...r }));

describe('tables projector', () => {
  const projector = () => tablesProjector(pool, { cache, prefix: config.REDIS_KEY_PREFIX, onError: (e) => errors.push(e) });

  it('projects users, sleep logs and follows with counts, and ignores redelivery', async () => {
    const item = streamBuilder();
    const [a, b] = [randomUUID(), randomUUID()];
    const log = randomUUID();
    const batch = [
      item(a, registered(a, `ta_${a.slice(0, 6)}`)),
      item(b, registered(b, `tb_${b.slice(0, 6)}`)),
      item(a, slept(a, log, 450)),
      item(a, { type: 'Followed', data: { userId: a as UserId, followeeId: b as UserId } }),
    ];
    await projector().apply(batch);
    await projector().apply(batch); // redelivered: nothing changes
    await projector().apply([batch[3]!, batch[2]!]);

    expect(await rows(`SELECT user_id, duration_minutes FROM sleep_logs WHERE user_id = ?`, [a])).toEqual([{ user_id: a, duration_minutes: 450 }]);
    expect(await rows(`SELECT follower_id, followee_id FROM follows WHERE follower_id = ?`, [a])).toEqual([{ follower_id: a, followee_id: b }]);
    expect(await rows(`SELECT user_id, followers, following FROM follow_counts WHERE user_id IN (?) ORDER BY followers`, [[a, b]])).toEqual(
      [
        { user_id: a, followers: 0, following: 1 },
        { user_id: b, followers: 1, following: 0 },
      ],
    );
  });

  it('applies corrections and retractions, and unfollow lowers the counts', async () => {
    const item = streamBuilder();
    const [a, b] = [randomUUID(), randomUUID()];
    const log = randomUUID();
    await projector().apply([
      item(a, registered(a, `tc_${a.slice(0, 6)}`)),
      item(b, registered(b, `td_${b.slice(0, 6)}`)),
      item(a, slept(a, log, 400)),
      item(a, { type: 'SleepLogCorrected', data: facts(a, log, 420) }),
      item(a, { type: 'Followed', data: { userId: a as UserId, followeeId: b as UserId } }),
    ]);
    expect(await rows(`SELECT duration_minutes FROM sleep_logs WHERE log_id = ?`, [log])).toEqual([{ duration_minutes: 420 }]);
    await projector().apply([
      item(a, { type: 'SleepLogRetracted', data: { userId: a as UserId, logId: log as LogId } }),
      item(a, { type: 'Unfollowed', data: { userId: a as UserId, followeeId: b as UserId } }),
    ]);
    expect(await rows(`SELECT * FROM sleep_logs WHERE log_id = ?`, [log])).toEqual([]);
    expect(await rows(`SELECT followers FROM follow_counts WHERE user_id = ?`, [b])).toEqual([{ followers: 0 }]);
  });

  it('applies a batch up to a gap, never past it, and reports the gap', async () => {
    const item = streamBuilder();
    const a = randomUUID();
    const first = item(a, registered(a, `te_${a.slice(0, 6)}`));
    item(a, slept(a, randomUUID(), 300)); // revision 1, never delivered
    const third = item(a, slept(a, randomUUID(), 200));
    await expect(projector().apply([first, third])).rejects.toBeInstanceOf(RevisionGap);
    expect(await rows(`SELECT user_id FROM users WHERE user_id = ?`, [a])).toEqual([{ user_id: a }]);
    expect(await rows(`SELECT * FROM sleep_logs WHERE user_id = ?`, [a])).toEqual([]);
    expect(await rows(`SELECT revision FROM projection_guards WHERE stream_id = ?`, [`user-${a}`])).toEqual([{ revision: 0 }]);
  });

  it('refreshes the cached profile after the change is committed', async () => {
    const item = streamBuilder();
    const [a, b] = [randomUUID(), randomUUID()];
    const key = profileKey(config.REDIS_KEY_PREFIX, b);
    await cache.set(key, '{"stale":true}', 60);
    await projector().apply([
      item(a, registered(a, `tf_${a.slice(0, 6)}`)),
      item(b, registered(b, `tg_${b.slice(0, 6)}`)),
      item(a, { type: 'Followed', data: { userId: a as UserId, followeeId: b as UserId } }),
    ]);
    expect(JSON.parse((await cache.get(key)) ?? 'null')).toMatchObject({ id: b, handle: `tg_${b.slice(0, 6)}`, followers: 1, following: 0 });
    expect(JSON.parse((await cache.get(profileKey(config.REDIS_KEY_PREFIX, a))) ?? 'null')).toMatchObject({ id: a, followers: 0, following: 1 });
    expect(errors).toEqual([]);
  });

  it('drops the cached profile of a touched user the tables do not have', async () => {
    const item = streamBuilder();
    const [a, ghost] = [randomUUID(), randomUUID()];
    const key = profileKey(config.REDIS_KEY_PREFIX, ghost);
    await cache.set(key, '{"stale":true}', 60);
    await projector().apply([item(a, registered(a, `th_${a.slice(0, 6)}`)), item(a, { type: 'Followed', data: { userId: a as UserId, followeeId: ghost as UserId } })]);
    expect(await cache.get(key)).toBeUndefined();
    expect(errors).toEqual([]);
  });
});
