import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { System } from '../../launcher/system.js';
import type { Config } from '../../shared/config/index.js';
import { eventually } from '../../shared/testing/environment.js';
import { KeysetCursor } from '../../query-side/keyset.js';
import { errorPaths, eventuallyRead, expectProblem, follow, get, logSleep, queryApp, register, startSystem, type Caller } from './support.js';

// Sleep logs and stats, with who may see them: the sleeper and their followers, nobody else.
let config: Config;
let system: System;
let stop: () => Promise<void>;
let sleeper: Caller; // America/New_York
let follower: Caller;
let stranger: Caller;
let logIds: string[]; // newest first by end time
// Stats need "today": a second query API over the same read models, on a clock the test sets.
let now = 0;
let stats: ReturnType<typeof queryApp>;

type Log = { logId: string; startedAt: string; endedAt: string; durationMinutes: number; wakeDate: string; quality: number | null; note: string | null };
type Page = { userId: string; items: Log[]; nextCursor: string | null };
type Stats = {
  userId: string;
  period: string;
  today: string;
  timezone: string;
  window: { name: string; from: string; to: string } | null;
  nights: number;
  totalMinutes: number;
  averageMinutes: number | null;
  currentStreak: number;
};

beforeAll(async () => {
  ({ config, system, stop } = await startSystem('query_sleep'));
  stats = queryApp(config, { clock: () => now });
  sleeper = await register(system.app, 'sleeper_ny', 'America/New_York');
  follower = await register(system.app, 'follower_ny');
  stranger = await register(system.app, 'stranger_ny');
  await follow(system.app, follower, sleeper);

  // New York time: UTC-4 until daylight saving time ended on 1 November, UTC-5 after.
  const app = system.app;
  const l1 = await logSleep(app, sleeper, '2026-10-29T23:20:00-04:00', '2026-10-30T06:00:00-04:00'); // 400 min, wakes 10-30
  const l2 = await logSleep(app, sleeper, '2026-11-06T23:59:00-05:00', '2026-11-07T07:00:00-05:00'); // 421
  const l3 = await logSleep(app, sleeper, '2026-11-07T23:47:00-05:00', '2026-11-08T07:00:00-05:00'); // 433
  const l4 = await logSleep(app, sleeper, '2026-11-09T23:30:00-05:00', '2026-11-10T07:00:00-05:00'); // 450
  const l5 = await logSleep(app, sleeper, '2026-11-10T23:10:00-05:00', '2026-11-11T07:00:00-05:00', { quality: 4, note: 'slept well' }); // 470
  const l6 = await logSleep(app, sleeper, '2026-11-11T14:00:00-05:00', '2026-11-11T14:45:00-05:00'); // a 45-minute nap, same wake date
  const l7 = await logSleep(app, sleeper, '2026-11-11T22:58:00-05:00', '2026-11-12T07:00:00-05:00'); // 482
  logIds = [l7, l6, l5, l4, l3, l2, l1];
  await eventuallyRead<Page>(system.app, `/v1/users/${sleeper.userId}/sleep-logs?limit=100`, sleeper, (p) => p.items.length === 7);
  await eventuallyRead<Page>(system.app, `/v1/users/${sleeper.userId}/sleep-logs`, follower, () => true);
});

afterAll(async () => {
  await stats?.close();
  await stop?.();
});

const logsUrl = (query = '', user: Caller = sleeper) => `/v1/users/${user.userId}/sleep-logs${query ? `?${query}` : ''}`;
const page = async (query = '', caller: Caller = sleeper): Promise<Page> => {
  const res = await get(system.app, logsUrl(query), caller);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Page>();
};
const idsOf = (p: Page) => p.items.map((i) => i.logId);

describe('GET /v1/users/:userId/sleep-logs', () => {
  it('lists the logs newest first by end time', async () => {
    const p = await page();
    expect(idsOf(p)).toEqual(logIds);
    expect(p.nextCursor).toBeNull();
    expect(p.items[2]).toEqual({
      logId: logIds[2],
      startedAt: '2026-11-11T04:10:00.000Z',
      endedAt: '2026-11-11T12:00:00.000Z',
      durationMinutes: 470,
      wakeDate: '2026-11-11',
      quality: 4,
      note: 'slept well',
    });
    expect(p.items.map((i) => i.wakeDate)).toEqual(['2026-11-12', '2026-11-11', '2026-11-11', '2026-11-10', '2026-11-08', '2026-11-07', '2026-10-30']);
    expect(p.items[1]).toMatchObject({ durationMinutes: 45, quality: null, note: null });
  });

  it('filters by wake date, both ends inclusive', async () => {
    expect(idsOf(await page('from=2026-11-08&to=2026-11-11'))).toEqual(logIds.slice(1, 5));
    expect(idsOf(await page('from=2026-11-11'))).toEqual(logIds.slice(0, 3));
    expect(idsOf(await page('to=2026-11-07'))).toEqual(logIds.slice(5));
    expect(idsOf(await page('from=2026-11-09&to=2026-11-09'))).toEqual([]);
    const reversed = await get(system.app, logsUrl('from=2026-11-12&to=2026-11-01'), sleeper);
    expectProblem(reversed, 422, 'VALIDATION_FAILED');
    expect(errorPaths(reversed)).toEqual(['/from']);
    expect(errorPaths(await get(system.app, logsUrl('from=2026-02-30'), sleeper))).toEqual(['/from']);
    expect(errorPaths(await get(system.app, logsUrl('to=2026-13-01'), sleeper))).toEqual(['/to']);
  });

  it('pages by keyset cursor, with a filter kept across pages', async () => {
    const first = await page('limit=3');
    const second = await page(`limit=3&cursor=${first.nextCursor}`);
    const third = await page(`limit=3&cursor=${second.nextCursor}`);
    expect([first, second, third].map((p) => p.items.length)).toEqual([3, 3, 1]);
    expect([...idsOf(first), ...idsOf(second), ...idsOf(third)]).toEqual(logIds);
    expect(third.nextCursor).toBeNull();

    const filtered = await page('from=2026-11-08&to=2026-11-11&limit=2');
    expect(idsOf(await page(`from=2026-11-08&to=2026-11-11&limit=2&cursor=${filtered.nextCursor}`))).toEqual(logIds.slice(3, 5));
  });

  it('has no next cursor when a page ends exactly at the last log, and an empty page after it', async () => {
    const exact = await page('limit=7');
    expect(exact.items).toHaveLength(7);
    expect(exact.nextCursor).toBeNull();
    const sixth = await page('limit=6');
    expect(sixth.nextCursor).not.toBeNull();
    expect(await page(`limit=6&cursor=${sixth.nextCursor}`)).toEqual({ userId: sleeper.userId, items: [expect.objectContaining({ logId: logIds[6] }) as Log], nextCursor: null });
    const last = exact.items[6];
    expect(await page(`cursor=${KeysetCursor.encode({ at: last?.endedAt ?? '', id: last?.logId ?? '' })}`)).toEqual({ userId: sleeper.userId, items: [], nextCursor: null });
    expect((await get(system.app, logsUrl('', follower), follower)).json()).toEqual({ userId: follower.userId, items: [], nextCursor: null });
  });

  it('clamps the limit into 1..100 and refuses cursors it did not make', async () => {
    expect((await page('limit=0')).items).toHaveLength(1);
    expect((await page('limit=-10')).nextCursor).not.toBeNull();
    expect((await page('limit=5000')).items).toHaveLength(7);
    expect(errorPaths(await get(system.app, logsUrl('limit=1.5'), sleeper))).toEqual(['/limit']);
    for (const cursor of ['nope', Buffer.from('o:3').toString('base64url'), Buffer.from(`k:2026-11-12T12:00:00.000Z|${'x'.repeat(36)}`).toString('base64url')]) {
      const res = await get(system.app, logsUrl(`cursor=${cursor}`), sleeper);
      expectProblem(res, 422, 'VALIDATION_FAILED');
      expect(errorPaths(res)).toEqual(['/cursor']);
    }
  });
});

describe('who may see a user’s sleep', () => {
  const statsUrl = (user: Caller, period = 'all') => `/v1/users/${user.userId}/stats?period=${period}`;

  it('the user and their followers may; anyone else is refused with 403', async () => {
    for (const caller of [sleeper, follower]) {
      expect((await get(system.app, logsUrl(), caller)).statusCode).toBe(200);
      expect((await get(system.app, statsUrl(sleeper), caller)).statusCode).toBe(200);
    }
    expectProblem(await get(system.app, logsUrl(), stranger), 403, 'FORBIDDEN');
    expectProblem(await get(system.app, statsUrl(sleeper), stranger), 403, 'FORBIDDEN');
    // Following is not mutual: the sleeper does not see the follower's sleep.
    expectProblem(await get(system.app, logsUrl('', follower), sleeper), 403, 'FORBIDDEN');
  });

  it('following grants it and unfollowing takes it away', async () => {
    await follow(system.app, stranger, sleeper);
    await eventually(async () => ((await get(system.app, logsUrl(), stranger)).statusCode === 200 ? true : undefined));
    await follow(system.app, stranger, sleeper, 'DELETE');
    await eventually(async () => ((await get(system.app, statsUrl(sleeper), stranger)).statusCode === 403 ? true : undefined));
  });

  it('needs a token; an unknown user is 404 and a malformed id 422', async () => {
    expectProblem(await get(system.app, logsUrl()), 401, 'UNAUTHENTICATED');
    expectProblem(await get(system.app, statsUrl(sleeper)), 401, 'UNAUTHENTICATED');
    const unknown = { ...stranger, userId: crypto.randomUUID() };
    expectProblem(await get(system.app, logsUrl('', unknown), stranger), 404, 'USER_NOT_FOUND');
    expectProblem(await get(system.app, statsUrl(unknown), stranger), 404, 'USER_NOT_FOUND');
    expect(errorPaths(await get(system.app, '/v1/users/abc/sleep-logs', stranger))).toEqual(['/userId']);
    expect(errorPaths(await get(system.app, '/v1/users/abc/stats?period=all', stranger))).toEqual(['/userId']);
  });
});

describe('GET /v1/users/:userId/stats', () => {
  const statsAt = async (instant: string, period: string, app: FastifyInstance = stats.app, caller: Caller = follower): Promise<Stats> => {
    now = Date.parse(instant);
    const res = await get(app, `/v1/users/${sleeper.userId}/stats?period=${period}`, caller);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Stats>();
  };

  it('sums the ISO week, the month and all time; a night is a wake date, the average is per night', async () => {
    // 15:00 UTC on Thursday 12 November is 10:00 in New York.
    expect(await statsAt('2026-11-12T15:00:00Z', 'week')).toEqual({
      userId: sleeper.userId,
      period: 'week',
      today: '2026-11-12',
      timezone: 'America/New_York',
      window: { name: '2026-W46', from: '2026-11-09', to: '2026-11-15' },
      nights: 3, // 10, 11 (a night and a nap), 12
      totalMinutes: 450 + 470 + 45 + 482,
      averageMinutes: 482.3, // 1447 / 3
      currentStreak: 3,
    });
    expect(await statsAt('2026-11-12T15:00:00Z', 'month')).toMatchObject({
      window: { name: '2026-11', from: '2026-11-01', to: '2026-11-30' },
      nights: 5,
      totalMinutes: 2301,
      averageMinutes: 460.2,
    });
    expect(await statsAt('2026-11-12T15:00:00Z', 'all')).toMatchObject({ window: null, nights: 6, totalMinutes: 2701, averageMinutes: 450.2 });
  });

  it('counts the streak up to today, or up to yesterday while today has no log yet', async () => {
    expect((await statsAt('2026-11-12T15:00:00Z', 'all')).currentStreak).toBe(3); // 10, 11, 12
    expect((await statsAt('2026-11-13T15:00:00Z', 'all')).currentStreak).toBe(3); // still alive on the 13th
    expect((await statsAt('2026-11-14T15:00:00Z', 'all')).currentStreak).toBe(0); // the 13th passed without a log
    expect((await statsAt('2026-11-09T15:00:00Z', 'all')).currentStreak).toBe(2); // 7, 8; later logs are not yet
    expect((await statsAt('2026-11-10T15:00:00Z', 'all')).currentStreak).toBe(1); // 10 after the gap on the 9th
  });

  it('takes "today" in the user’s time zone', async () => {
    // 03:00 UTC on the 10th is still the evening of the 9th in New York: the streak is 7–8,
    // where in UTC it would be the 10th alone.
    const s = await statsAt('2026-11-10T03:00:00Z', 'week');
    expect(s.today).toBe('2026-11-09');
    expect(s.currentStreak).toBe(2);
    expect(s.window).toEqual({ name: '2026-W46', from: '2026-11-09', to: '2026-11-15' });
  });

  it('answers zeros and no average for a user without logs', async () => {
    const res = await get(stats.app, `/v1/users/${follower.userId}/stats?period=month`, follower);
    expect(res.json()).toMatchObject({ nights: 0, totalMinutes: 0, averageMinutes: null, currentStreak: 0 });
  });

  it('requires a known period', async () => {
    for (const query of ['period=year', '', 'period=week&extra=1']) {
      const res = await get(system.app, `/v1/users/${sleeper.userId}/stats?${query}`, sleeper);
      expectProblem(res, 422, 'VALIDATION_FAILED');
    }
    expect(errorPaths(await get(system.app, `/v1/users/${sleeper.userId}/stats?period=year`, sleeper))).toEqual(['/period']);
  });
});
