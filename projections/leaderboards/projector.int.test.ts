import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CalendarDate, LogId, UserEvent, UserId, UtcInstant, TimeZone } from '../../shared/events/index.js';
import { cleanUp, testConfig } from '../../shared/testing/environment.js';
import { streamBuilder } from '../runtime/testing.js';
import { liveRecords, recordsKey } from './effects.js';
import { leaderboardProjector } from './projector.js';

const config = testConfig('leaderboards');
let redis: Redis;
beforeAll(() => {
  redis = new Redis(config.REDIS_URL);
});
afterAll(async () => {
  redis.disconnect();
  await cleanUp(config);
});

const slept = (userId: string, wakeDate: string, minutes: number): UserEvent => {
  const end = Date.parse(`${wakeDate}T07:00:00.000Z`);
  return {
    type: 'SleepLogged',
    data: {
      userId: userId as UserId,
      logId: randomUUID() as LogId,
      startedAt: new Date(end - minutes * 60_000).toISOString() as UtcInstant,
      endedAt: new Date(end).toISOString() as UtcInstant,
      durationMinutes: minutes,
      timezone: 'UTC' as TimeZone,
      wakeDate: wakeDate as CalendarDate,
      quality: null,
      note: null,
    },
  };
};

describe('leaderboards projector: log records', () => {
  it('keeps a user’s records in one hash and sheds those whose boards have expired as the hash grows', async () => {
    const prefix = `${config.REDIS_KEY_PREFIX}prune:`;
    const projector = leaderboardProjector(redis, { prefix, retentionDays: 30 });
    const item = streamBuilder();
    const userId = randomUUID();
    const today = new Date().toISOString().slice(0, 10);
    // One night that counts, then late logs of nights long past their boards' retention.
    await projector.apply([item(userId, slept(userId, today, 420))]);
    const late = Array.from({ length: 62 }, (_, i) => item(userId, slept(userId, `2020-0${1 + (i % 9)}-${String(1 + (i % 28)).padStart(2, '0')}`, 300 + i)));
    await projector.apply(late);
    const key = recordsKey(prefix, userId);
    expect(await redis.hlen(key)).toBe(63);
    const now = Date.now() / 1000;
    expect(liveRecords('lb:logs:x', Object.entries(await redis.hgetall(key)), now)).toHaveLength(1);
    // The 64th field prunes: what is left is the two nights that still count.
    await projector.apply([item(userId, slept(userId, today, 60))]);
    expect(await redis.hlen(key)).toBe(2);
    expect(await redis.ttl(key)).toBeGreaterThan(30 * 86_400);
  });
});
