import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { System } from '../../launcher/system.js';
import { OffsetCursor } from '../../shared/http/query-codecs.js';
import type { Config } from '../../shared/config/index.js';
import { errorPaths, eventuallyRead, expectProblem, follow, get, logNight, queryApp, register, startSystem, type Caller } from './support.js';
import { Redis } from 'ioredis';
import { globalBoardKey } from '../../shared/leaderboards/windows.js';
import { eventually } from '../../shared/testing/environment.js';
import { createPool } from '../../shared/mysql/pool.js';
import { mysqlSettingsOf } from '../../launcher/infrastructure.js';
import { userDirectory } from '../../query-side/users.js';
import type { Tracking } from '../../query-side/tracking/tracking.js';

// The friends board and the neighbourhood on the global board, over scores the pipeline put in
// Redis from nights logged through the command API. Three users tie at 450 on purpose.
let system: System;
let config: Config;
let stop: () => Promise<void>;
const users: Record<'me' | 'a' | 'b' | 'c' | 'd' | 'e' | 'f', Caller> = {} as never;
const minutes = { a: 500, b: 450, me: 450, d: 450, c: 400, e: 300 } as const; // f logged nothing that day
const DAY = '2026-11-05';

type Entry = { rank: number; user: { id: string; handle: string | null; displayName: string | null }; score: number };
type Board = { period: string; window: string; total: number; entries: Entry[]; me: { rank: number; score: number } | null; nextCursor: string | null };
type Around = { period: string; window: string; radius: number; entries: Entry[]; me: { rank: number; score: number } | null };

/** The global board as Redis orders it (score descending, ties by member descending), ranked 1, 2, 2, 4. */
const expectedGlobal = (): { id: string; score: number; rank: number }[] => {
  const sorted = Object.entries(minutes)
    .map(([name, score]) => ({ id: users[name as keyof typeof minutes].userId, score }))
    .sort((x, y) => y.score - x.score || (x.id < y.id ? 1 : -1));
  return sorted.map((e) => ({ ...e, rank: sorted.filter((o) => o.score > e.score).length + 1 }));
};
/** The connection a reader reads whole boards on, once its tracking is up. */
const trackedConnection = async (tracking: Tracking | undefined): Promise<Redis> => {
  if (!tracking) throw new Error('the reader has no tracking');
  await eventually(async () => ((await tracking.synced()) ? true : undefined), 10_000, 20);
  return tracking.redis;
};
const brief = (entries: Entry[]) => entries.map((e) => ({ id: e.user.id, score: e.score, rank: e.rank }));

beforeAll(async () => {
  ({ system, stop, config } = await startSystem('query_boards'));
  for (const name of ['me', 'a', 'b', 'c', 'd', 'e', 'f'] as const) users[name] = await register(system.app, `lb_${name}`, 'UTC', `Player ${name}`);
  for (const [name, length] of Object.entries(minutes)) await logNight(system.app, users[name as keyof typeof minutes], `${DAY}T07:00:00Z`, length);
  await logNight(system.app, users.f, '2026-11-03T07:00:00Z', 480); // in the week, not on the day
  for (const friend of ['a', 'b', 'c', 'f'] as const) await follow(system.app, users.me, users[friend]);
  await eventuallyRead<Board>(system.app, `/v1/leaderboards/global?period=day&date=${DAY}&limit=100`, users.me, (b) => b.total === 6 && b.entries.every((e) => e.user.handle));
  await eventuallyRead<{ total: number }>(system.app, `/v1/users/${users.me.userId}/following`, users.me, (p) => p.total === 4);
});

afterAll(async () => {
  await stop?.();
});

const friends = async (query: string, caller: Caller = users.me): Promise<Board> => {
  const res = await get(system.app, `/v1/leaderboards/friends?${query}`, caller);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Board>();
};
const around = async (query: string, caller: Caller = users.me): Promise<Around> => {
  const res = await get(system.app, `/v1/leaderboards/global/around-me?${query}`, caller);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Around>();
};

describe('GET /v1/leaderboards/friends', () => {
  it('ranks the caller and the people they follow who scored, ties sharing a rank', async () => {
    const res = await get(system.app, `/v1/leaderboards/friends?period=day&date=${DAY}`, users.me);
    expect(res.headers['cache-control']).toBe('private, max-age=1');
    const board = res.json<Board>();
    const circle = new Set([users.me, users.a, users.b, users.c].map((u) => u.userId));
    // Ranked among the circle (d's 450 on the global board does not count here).
    const inCircle = expectedGlobal().filter((e) => circle.has(e.id));
    const expected = inCircle.map((e) => ({ ...e, rank: inCircle.filter((o) => o.score > e.score).length + 1 }));
    expect(expected.map((e) => e.rank)).toEqual([1, 2, 2, 4]);
    expect(board).toMatchObject({ period: 'day', window: DAY, total: 4, me: { rank: 2, score: 450 }, nextCursor: null });
    expect(brief(board.entries)).toEqual(expected);
    expect(board.entries[0]?.user).toEqual({ id: users.a.userId, handle: 'lb_a', displayName: 'Player a' });
  });

  it('pages the ranking; a page that starts inside a tie keeps the tie’s rank', async () => {
    const first = await friends(`period=day&date=${DAY}&limit=2`);
    expect(first.entries.map((e) => e.rank)).toEqual([1, 2]);
    const second = await friends(`period=day&date=${DAY}&limit=2&cursor=${first.nextCursor}`);
    expect(second.entries.map((e) => e.rank)).toEqual([2, 4]);
    expect(second.nextCursor).toBeNull();
    expect(second.me).toEqual({ rank: 2, score: 450 });

    const exact = await friends(`period=day&date=${DAY}&limit=4`);
    expect(exact.entries).toHaveLength(4);
    expect(exact.nextCursor).toBeNull();
    expect(await friends(`period=day&date=${DAY}&cursor=${OffsetCursor.encode(4)}`)).toMatchObject({ total: 4, entries: [], nextCursor: null });
    expect((await friends(`period=day&date=${DAY}&limit=0`)).entries).toHaveLength(1);
    expect((await friends(`period=day&date=${DAY}&limit=999`)).entries).toHaveLength(4);
  });

  it('scores the window of the period: a friend who scored that week is in the week’s board', async () => {
    const week = await friends(`period=week&date=${DAY}`);
    expect(week.window).toBe('2026-W45');
    expect(week.total).toBe(5);
    expect(week.entries[0]).toMatchObject({ rank: 1, score: 500 });
    expect(week.entries.find((e) => e.user.id === users.f.userId)).toMatchObject({ score: 480, rank: 2 });
  });

  it('is empty, with no place for the caller, when nobody in the circle scored', async () => {
    expect(await friends(`period=day&date=${DAY}`, users.f)).toMatchObject({ total: 0, entries: [], me: null, nextCursor: null });
    expect(await friends('period=day&date=2026-01-01')).toMatchObject({ total: 0, entries: [], me: null, nextCursor: null });
  });

  it('refuses bad input with field paths, and callers without a token', async () => {
    expectProblem(await get(system.app, `/v1/leaderboards/friends?period=day`), 401, 'UNAUTHENTICATED');
    const bad = await get(system.app, `/v1/leaderboards/friends?period=year&date=2026-13-01&cursor=x`, users.me);
    expectProblem(bad, 422, 'VALIDATION_FAILED');
    expect(errorPaths(bad).sort()).toEqual(['/cursor', '/date', '/period']);
  });
});

describe('GET /v1/leaderboards/global', () => {
  const global = async (query: string, caller: Caller = users.me): Promise<Board> => {
    const res = await get(system.app, `/v1/leaderboards/global?${query}`, caller);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('private, max-age=1');
    return res.json<Board>();
  };

  it('ranks everyone who scored, named, with the caller’s own place', async () => {
    const board = await global(`period=day&date=${DAY}`);
    expect(board).toMatchObject({ period: 'day', window: DAY, total: 6, me: { rank: 2, score: 450 }, nextCursor: null });
    expect(brief(board.entries)).toEqual(expectedGlobal());
    expect(board.entries[0]?.user).toEqual({ id: users.a.userId, handle: 'lb_a', displayName: 'Player a' });
    // Exactly the documented properties: a compiled serializer must not drop or add any.
    expect(Object.keys(board).sort()).toEqual(['entries', 'me', 'nextCursor', 'period', 'total', 'window']);
  });

  it('answers HEAD with the headers of GET and no body; the length it declares is the body’s', async () => {
    const url = `/v1/leaderboards/global?period=day&date=${DAY}`;
    const full = await get(system.app, url, users.me);
    expect(Number(full.headers['content-length'])).toBe(full.rawPayload.length);
    const head = await system.app.inject({ method: 'HEAD', url, headers: { authorization: `Bearer ${users.me.token}` } });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-length']).toBe(full.headers['content-length']);
    expect(head.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(head.rawPayload.length).toBe(0);
  });

  it('pages with opaque cursors; a page starting inside a tie keeps the tie’s rank', async () => {
    const expected = expectedGlobal();
    const first = await global(`period=day&date=${DAY}&limit=2`);
    expect(brief(first.entries)).toEqual(expected.slice(0, 2));
    const second = await global(`period=day&date=${DAY}&limit=2&cursor=${first.nextCursor}`);
    expect(brief(second.entries)).toEqual(expected.slice(2, 4));
    expect(second.entries.map((e) => e.rank)).toEqual([2, 2]);
    const third = await global(`period=day&date=${DAY}&limit=2&cursor=${second.nextCursor}`);
    expect(brief(third.entries)).toEqual(expected.slice(4, 6));
    expect(third.nextCursor).toBeNull();
    expect(await global(`period=day&date=${DAY}&cursor=${OffsetCursor.encode(6)}`)).toMatchObject({ total: 6, entries: [], nextCursor: null });
  });

  it('answers alike whether the board is read whole or a page at a time, for every caller and page', async () => {
    const reference = queryApp(config, { leaderboardPageCacheMs: 0 });
    // 6 members: read whole at a limit of 6, a page at a time (and each place per request) at 5.
    const readers = [6, 5].map((max) => queryApp(config, { leaderboardPageCacheMs: 60_000, leaderboardWholeMaxMembers: max }));
    try {
      for (const caller of Object.values(users))
        for (const query of [`period=day&date=${DAY}`, `period=day&date=${DAY}&limit=2&cursor=${OffsetCursor.encode(2)}`, `period=week&date=${DAY}&limit=3`, `period=day&date=${DAY}&cursor=${OffsetCursor.encode(9)}`]) {
          const expected = await get(reference.app, `/v1/leaderboards/global?${query}`, caller);
          expect(expected.statusCode).toBe(200);
          for (const reader of readers) expect((await get(reader.app, `/v1/leaderboards/global?${query}`, caller)).json(), query).toEqual(expected.json());
        }
    } finally {
      await Promise.all([reference, ...readers].map((r) => r.close()));
    }
  });

  it('reads a page at a time a board that grew past the limit between counting and reading it', async () => {
    // A race no pipeline can time: members are added, as a projector would, between the reader's
    // ZCARD and its ZRANGE. The board (a date nobody logged) is written here directly for that.
    const board = globalBoardKey(config.REDIS_KEY_PREFIX, 'day', '2026-08-01');
    const writer = new Redis(config.REDIS_URL);
    const seeded = Object.values(users);
    await writer.zadd(board, ...seeded.flatMap((u, i) => [100 + i, u.userId]));
    // At the limit when counted, two over it when read.
    const reader = queryApp(config, { leaderboardPageCacheMs: 60_000, leaderboardWholeMaxMembers: seeded.length });
    // Boards are read whole on the tracked connection, once tracking is up.
    const raced = await trackedConnection(reader.deps.tracking);
    const count = raced.zcard.bind(raced);
    raced.zcard = async (key: string) => {
      const counted = await count(key);
      if (key === board) await writer.zadd(board, 1, 'late-1', 2, 'late-2');
      return counted;
    };
    const reference = queryApp(config, { leaderboardPageCacheMs: 0 });
    try {
      const query = '/v1/leaderboards/global?period=day&date=2026-08-01&limit=100';
      const answer = (await get(reader.app, query, users.a)).json<Board>();
      // Read whole, ZRANGE 0..limit would have kept all but the last: a wrong total, a missing place.
      expect(answer.total).toBe(seeded.length + 2);
      expect(answer).toEqual((await get(reference.app, query, users.a)).json());
    } finally {
      await Promise.all([reader.close(), reference.close()]);
      await writer.del(board);
      writer.disconnect();
    }
  });

  it('reuses one read of a board for its time, then (once a reload is done) the next: page and place never disagree', async () => {
    let now = 0;
    const reader = queryApp(config, { leaderboardPageCacheMs: 1_000, clock: () => now });
    const month = 'period=month&date=2026-09-01';
    try {
      const before = await get(reader.app, `/v1/leaderboards/global?${month}`, users.c);
      expect(before.json()).toMatchObject({ total: 0, entries: [], me: null });
      await logNight(system.app, users.c, '2026-09-10T07:00:00Z', 420);
      await eventuallyRead<Board>(system.app, `/v1/leaderboards/global?${month}`, users.c, (b) => b.total === 1);
      now += 999;
      expect((await get(reader.app, `/v1/leaderboards/global?${month}`, users.c)).json()).toEqual(before.json());
      now += 1;
      // The first request after the time is up starts the reload and may still get the old read.
      const seen = new Set<string>();
      const after = await eventuallyRead<Board>(reader.app, `/v1/leaderboards/global?${month}`, users.c, (b) => {
        seen.add(JSON.stringify({ total: b.total, me: b.me, entries: brief(b.entries) }));
        return b.total === 1;
      });
      expect(after).toMatchObject({ total: 1, me: { rank: 1, score: 420 } });
      expect(brief(after.entries)).toEqual([{ id: users.c.userId, score: 420, rank: 1 }]);
      // Never a mix of the two reads.
      for (const answer of seen) expect([JSON.stringify({ total: 0, me: null, entries: [] }), JSON.stringify({ total: 1, me: after.me, entries: brief(after.entries) })]).toContain(answer);
    } finally {
      await reader.close();
    }
  });

  it('keeps a whole board past its time while Redis reports no change to it, with names still refreshed each period', async () => {
    let now = 0;
    const pool = createPool({ ...mysqlSettingsOf(config), poolSize: 2 });
    // Names straight from MySQL: what a page shows is what its last build read.
    const reader = queryApp(config, { pool, users: userDirectory(pool, { ttlMs: 0, max: 100 }), leaderboardPageCacheMs: 1_000, clock: () => now });
    const tracking = reader.deps.tracking;
    const tracked = await trackedConnection(tracking);
    let wholeReads = 0;
    const zrange = tracked.zrange.bind(tracked);
    tracked.zrange = ((...args: Parameters<typeof zrange>) => ((wholeReads += 1), zrange(...args))) as typeof zrange;
    const june = 'period=month&date=2026-06-01';
    const read = async () => (await get(reader.app, `/v1/leaderboards/global?${june}`, users.e)).json<Board>();
    try {
      await logNight(system.app, users.d, '2026-06-10T07:00:00Z', 400);
      await eventuallyRead<Board>(system.app, `/v1/leaderboards/global?${june}`, users.d, (b) => b.total === 1);
      const first = await read();
      expect(first).toMatchObject({ total: 1, me: null, entries: [{ rank: 1, score: 400, user: { displayName: 'Player d' } }] });
      for (let i = 0; i < 5; i++) {
        now += 1_000;
        expect(await read()).toEqual(first);
      }
      expect(wholeReads).toBe(1);

      // A new name is not a change to the board: it shows once its page is built again.
      const renamed = await system.app.inject({ method: 'PATCH', url: '/v1/me', headers: { authorization: `Bearer ${users.d.token}` }, payload: { displayName: 'Dee' } });
      expect(renamed.statusCode, renamed.body).toBe(200);
      await eventuallyRead<{ displayName: string }>(system.app, `/v1/users/${users.d.userId}`, users.d, (p) => p.displayName === 'Dee');
      now += 1_000;
      await eventually(async () => ((await read()).entries[0]?.user.displayName === 'Dee' ? true : undefined), 5_000, 10);
      expect(wholeReads).toBe(1);

      // A change to the board is: once Redis has told the reader, the next period reads it again.
      await logNight(system.app, users.e, '2026-06-11T07:00:00Z', 300);
      await eventuallyRead<Board>(system.app, `/v1/leaderboards/global?${june}`, users.e, (b) => b.total === 2);
      expect(await tracking?.synced()).toBe(true);
      expect(await read()).toMatchObject({ total: 1 });
      now += 1_000;
      const after = await eventuallyRead<Board>(reader.app, `/v1/leaderboards/global?${june}`, users.e, (b) => b.total === 2, 5_000);
      expect(after.me).toEqual({ rank: 2, score: 300 });
      expect(wholeReads).toBe(2);
    } finally {
      await reader.close();
    }
  });

  it('gives no place to a caller who did not score, and an empty board for a quiet day', async () => {
    expect(await global(`period=day&date=${DAY}`, users.f)).toMatchObject({ total: 6, me: null });
    expect(await global(`period=week&date=${DAY}`, users.f)).toMatchObject({ window: '2026-W45', total: 7, me: { rank: 2, score: 480 } });
    expect(await global('period=month&date=2026-01-01')).toMatchObject({ total: 0, entries: [], me: null, nextCursor: null });
  });
});

describe('GET /v1/leaderboards/global/around-me', () => {
  it('shows `radius` places either side of the caller, with competition ranks', async () => {
    const global = expectedGlobal();
    const mine = global.findIndex((e) => e.id === users.me.userId);
    const res = await get(system.app, `/v1/leaderboards/global/around-me?period=day&date=${DAY}&radius=1`, users.me);
    expect(res.headers['cache-control']).toBe('private, max-age=1');
    const body = res.json<Around>();
    expect(body).toMatchObject({ period: 'day', window: DAY, radius: 1, me: { rank: 2, score: 450 } });
    expect(brief(body.entries)).toEqual(global.slice(Math.max(0, mine - 1), mine + 2));
  });

  it('ranks a first entry that sits inside a tie by the scores above it, not by its index', async () => {
    const body = await around(`period=day&date=${DAY}&radius=1`, users.c); // c is 5th: index 4
    const global = expectedGlobal();
    expect(brief(body.entries)).toEqual(global.slice(3, 6));
    expect(body.entries.map((e) => e.rank)).toEqual([2, 5, 6]);
    expect(body.me).toEqual({ rank: 5, score: 400 });
  });

  it('stops at the top of the board', async () => {
    const body = await around(`period=day&date=${DAY}&radius=2`, users.a);
    expect(brief(body.entries)).toEqual(expectedGlobal().slice(0, 3));
    expect(body.me).toEqual({ rank: 1, score: 500 });
  });

  it('clamps the radius into 1..25, by default 5', async () => {
    expect((await around(`period=day&date=${DAY}`)).radius).toBe(5);
    expect((await around(`period=day&date=${DAY}`)).entries).toHaveLength(6);
    expect((await around(`period=day&date=${DAY}&radius=0`, users.e)).entries).toHaveLength(2);
    expect(await around(`period=day&date=${DAY}&radius=1000`)).toMatchObject({ radius: 25 });
    expect(errorPaths(await get(system.app, `/v1/leaderboards/global/around-me?period=day&radius=two`, users.me))).toEqual(['/radius']);
  });

  it('answers no place and no entries to a caller without a score in that window', async () => {
    expect(await around(`period=day&date=${DAY}`, users.f)).toEqual({ period: 'day', window: DAY, radius: 5, me: null, entries: [] });
    expectProblem(await get(system.app, `/v1/leaderboards/global/around-me?period=day`), 401, 'UNAUTHENTICATED');
  });
});
