import { appendUserEvents } from '../../test/pipeline-support.js';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlEventStore } from '../../shared/event-store/mysql/store.js';
import { eventStoreMigrations } from '../../shared/event-store/mysql/schema.js';
import type { EventStore } from '../../shared/event-store/port.js';
import { migrate } from '../../shared/mysql/migrate.js';
import { createPool, ensureDatabase } from '../../shared/mysql/pool.js';
import { mysqlSettingsOf } from '../../shared/mysql/settings.js';
import { cleanUp, testConfig } from '../../shared/testing/environment.js';
import { DEFERRED_KEYS, tableMigrations } from '../../projections/tables/schema.js';
import { bulkTablesProjector } from '../../projections/tables/bulk.js';
import { tablesMemory } from '../../projections/tables/memory.js';
import { isLocalLoadRefused, loadLogs } from '../../projections/tables/load.js';
import { inTransaction } from '../../shared/mysql/pool.js';
import { toProjectionItem } from '../../projections/runtime/decode.js';
import { bulkLeaderboardProjector, guardMemory } from '../../projections/leaderboards/bulk.js';
import { leaderboardsTarget } from '../projections.js';
import { runRebuild, type RebuildDeps, type RebuildOptions } from './engine.js';
import { shadowDatabase, tablesTarget } from './tables-target.js';
import type { RebuildTarget } from './target.js';

// The bulk projectors (a page folded in memory, written in big statements) against the per-item
// ones (the live projectors' code), on a store with corrections, retractions, profile updates,
// follows and unfollows, an event that does not decode, and nights past the boards' retention.
const config = testConfig('rebuild_bulk');
let pool: mysql.Pool;
let redis: Redis;
let store: EventStore;
let deps: RebuildDeps;
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });

const targets: Record<'tables' | 'leaderboards', (tag: string) => RebuildTarget> = {
  tables: (tag) => tablesTarget(pool, mysqlSettingsOf(config), tag),
  leaderboards: (tag) => leaderboardsTarget(redis, config, tag),
};

let clock = Date.parse('2026-10-01T00:00:00.000Z');
// Each event a minute later than the one before, so "as of" a time has something to cut.
const append = (userId: string, events: readonly { type: string; data: unknown }[]) =>
  appendUserEvents(store, userId, events, () => new Date((clock += 61_000)).toISOString());

const night = (userId: string, logId: string, wakeDate: string, minutes: number, note: string | null = null) => {
  const end = Date.parse(`${wakeDate}T07:00:00.000Z`);
  return {
    userId,
    logId,
    startedAt: new Date(end - minutes * 60_000).toISOString(),
    endedAt: new Date(end).toISOString(),
    durationMinutes: minutes,
    timezone: 'UTC',
    wakeDate,
    quality: minutes % 5 === 0 ? null : (minutes % 5) as never,
    note,
  };
};

const users = Array.from({ length: 6 }, () => randomUUID());
/** Every character a bulk write's escaping must carry: tab, newline, CR, backslash, a literal \N, NUL, quotes, non-ASCII. */
const TRICKY_NOTE = 'tab\there\nnext line\r\\N back\\slash \0 "double" \'single\' 🌙 Schlafenszeit';
const u = (i: number) => users[i] ?? '';

beforeAll(async () => {
  const settings = mysqlSettingsOf(config, 6);
  await ensureDatabase(settings);
  pool = createPool(settings);
  await migrate(pool, [{ id: 'event-store', statements: eventStoreMigrations }, ...tableMigrations]);
  redis = new Redis(config.REDIS_URL);
  store = createMysqlEventStore(pool);
  deps = { pool, store, database: config.MYSQL_DATABASE, err: quiet, interactive: false };

  for (const [i, userId] of users.entries()) await append(userId, [{ type: 'UserRegistered', data: { userId, handle: `bulk_${i}_${userId.slice(0, 6)}`, displayName: `Sleeper ${i}`, timezone: 'UTC' } }]);
  // Rounds across users, so a page holds several streams and a stream spans several pages.
  const logs = users.map(() => [] as string[]);
  for (let round = 0; round < 8; round++) {
    for (const [i, userId] of users.entries()) {
      const logId = randomUUID();
      logs[i]?.push(logId);
      const wake = round === 0 && i === 1 ? '2023-01-10' : `2026-${round < 4 ? '10' : '11'}-${String(10 + round).padStart(2, '0')}`;
      await append(userId, [{ type: 'SleepLogged', data: night(userId, logId, wake, 300 + 17 * i + round, round === 2 ? (i === 3 ? TRICKY_NOTE : `note ${i}`) : null) }]);
    }
  }
  const log = (i: number, k: number) => logs[i]?.[k] ?? '';
  // Corrections (same window, another month, twice), retractions (of a corrected log too).
  await append(u(0), [{ type: 'SleepLogCorrected', data: night(u(0), log(0, 1), '2026-10-11', 480) }]);
  await append(u(1), [{ type: 'SleepLogCorrected', data: night(u(1), log(1, 2), '2026-11-30', 120) }]);
  await append(u(1), [{ type: 'SleepLogCorrected', data: night(u(1), log(1, 2), '2026-12-01', 150, 'moved twice') }]);
  await append(u(2), [{ type: 'SleepLogRetracted', data: { userId: u(2), logId: log(2, 3) } }]);
  await append(u(3), [
    { type: 'SleepLogCorrected', data: night(u(3), log(3, 4), '2026-10-14', 200) },
    { type: 'SleepLogRetracted', data: { userId: u(3), logId: log(3, 4) } },
  ]);
  await append(u(1), [{ type: 'SleepLogCorrected', data: night(u(1), log(1, 0), '2023-01-11', 90) }]);
  // The only log of a user on a day board retracted: the member (and board) goes.
  await append(u(5), [{ type: 'SleepLogRetracted', data: { userId: u(5), logId: log(5, 7) } }]);
  await append(u(4), [{ type: 'ProfileUpdated', data: { userId: u(4), displayName: 'Renamed', timezone: 'Europe/Paris' } }]);
  // Follows, unfollows, a follow again (a new `since`), an unfollow of someone never followed, a repeated follow.
  await append(u(0), [
    { type: 'Followed', data: { userId: u(0), followeeId: u(1) } },
    { type: 'Followed', data: { userId: u(0), followeeId: u(2) } },
  ]);
  await append(u(1), [{ type: 'Followed', data: { userId: u(1), followeeId: u(0) } }]);
  await append(u(2), [
    { type: 'Followed', data: { userId: u(2), followeeId: u(0) } },
    { type: 'Unfollowed', data: { userId: u(2), followeeId: u(0) } },
  ]);
  await append(u(0), [{ type: 'Unfollowed', data: { userId: u(0), followeeId: u(1) } }]);
  await append(u(0), [{ type: 'Followed', data: { userId: u(0), followeeId: u(1) } }]);
  await append(u(3), [
    { type: 'Unfollowed', data: { userId: u(3), followeeId: u(4) } },
    { type: 'Followed', data: { userId: u(3), followeeId: u(4) } },
    { type: 'Followed', data: { userId: u(3), followeeId: u(4) } },
  ]);
  // Data that does not decode: a skip item, which still moves the stream's guard.
  await append(u(4), [{ type: 'SleepLogged', data: { userId: u(4), broken: true } }]);
  await append(u(4), [{ type: 'ProfileUpdated', data: { userId: u(4), displayName: 'Renamed again', timezone: 'UTC' } }]);
}, 60_000);

afterAll(async () => {
  redis?.disconnect();
  await pool?.end();
  await cleanUp(config);
  const admin = createPool({ ...mysqlSettingsOf(config, 1), database: 'mysql' });
  for (const tag of ['rebuild', 'verify', 'twice', 'chunks', 'logsfirst', 'noload', 'warns']) await admin.query(`DROP DATABASE IF EXISTS \`${shadowDatabase(config.MYSQL_DATABASE, tag)}\``);
  await admin.end();
});

/** Runs `work` on a fresh shadow of `target`, then ends `pools` (opened on it) and removes the shadow. */
const inFreshShadow = async (target: RebuildTarget, work: () => Promise<void>, pools: readonly mysql.Pool[] = []) => {
  try {
    await target.prepare(true);
    await work();
  } finally {
    for (const p of pools) await p.end();
    await target.drop();
    await target.close();
  }
};

/** Every published event of the store, as the projectors take them. */
const everyItem = async () => (await store.readAll({ afterPosition: 0, limit: 10_000, streamPrefixes: ['user-'] })).map((e) => toProjectionItem(e).item);

const expectEqualToLive = async (target: RebuildTarget) => {
  const comparison = await target.compare(5);
  expect(comparison.differences).toEqual([]);
  expect(comparison.rebuilt).toEqual(comparison.live);
};

/** Rebuilds the live model item by item (the live projectors' code), then verifies it with the bulk path. */
const perItemLive = (name: 'tables' | 'leaderboards') => runRebuild(deps, targets[name]('rebuild'), { mode: 'rebuild', perItem: true, pageSize: 1_000 });
const bulkVerify = (name: 'tables' | 'leaderboards', options: Partial<RebuildOptions> = {}) => runRebuild(deps, targets[name]('verify'), { mode: 'verify', ...options });

describe.each(['tables', 'leaderboards'] as const)('bulk rebuild of %s', (name) => {
  it('leaves exactly what the per-item path leaves, whatever the page size and however many pages a write covers', async () => {
    const live = await perItemLive(name);
    expect(live.swapped).toBe(true);
    for (const [pageSize, flushEvents] of [
      [3, 1],
      [3, 7],
      [7, 50_000],
      [10_000, 50_000],
    ] as const) {
      const report = await bulkVerify(name, { pageSize, flushEvents });
      const comparison = report.comparison;
      expect(comparison?.differences).toEqual([]);
      expect(comparison?.rebuilt).toEqual(comparison?.live);
      expect(comparison?.live.reduce((n, d) => n + d.count, 0)).toBeGreaterThan(10);
    }
  });

  it('resumes an interrupted bulk rebuild behind the guards and ends equal to the per-item model', async () => {
    await perItemLive(name);
    let pages = 0;
    const stop = new Error('stopped');
    await expect(
      runRebuild(deps, targets[name]('rebuild'), {
        mode: 'rebuild',
        pageSize: 5,
        flushEvents: 8,
        afterPage: () => {
          if (++pages === 4) throw stop;
        },
      }),
    ).rejects.toBe(stop);
    const resumed = await runRebuild(deps, targets[name]('rebuild'), { mode: 'rebuild', pageSize: 5 });
    expect(resumed).toMatchObject({ swapped: true, resumedFrom: expect.any(Number) as number });
    const report = await runRebuild(deps, targets[name]('verify'), { mode: 'verify', perItem: true });
    expect(report.comparison?.differences).toEqual([]);
  });

  it('applies a page twice (a crash between the write and the saved position) without counting it twice', async () => {
    await perItemLive(name);
    const target = targets[name]('twice');
    await inFreshShadow(target, async () => {
      const bulk = target.bulkProjector?.();
      if (!bulk) throw new Error(`${name} has no bulk projector`);
      const items = await everyItem();
      for (let i = 0; i < items.length; i += 9) await bulk.apply(items.slice(i, i + 9));
      for (let i = 0; i < items.length; i += 13) await bulk.apply(items.slice(i, i + 13));
      await expectEqualToLive(target);
    });
  });
});

describe('bulk rebuild of leaderboards, written in chunks of whole streams', () => {
  it('a chunk that fails leaves its streams behind their guard: the page applied again ends equal to the per-item model', async () => {
    await perItemLive('leaderboards');
    const target = targets.leaderboards('chunks');
    await inFreshShadow(target, async () => {
      const items = await everyItem();
      const settings = { prefix: `${config.REDIS_KEY_PREFIX}~chunks:`, retentionDays: config.LEADERBOARD_RETENTION_DAYS };
      let calls = 0;
      // The third script call is lost; the others (sent with it) are written.
      const lossy = new Proxy(redis, {
        get: (r, key) => {
          if (key === 'evalsha') {
            return (sha: string, keys: number, ...args: string[]) => (++calls === 3 ? Promise.reject(new Error('lost')) : r.evalsha(sha, keys, ...args));
          }
          const value: unknown = Reflect.get(r, key);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(r) : value;
        },
      });
      await expect(bulkLeaderboardProjector(lossy, settings, { guards: guardMemory(true), chunkValues: 12 }).apply(items)).rejects.toThrow('lost');
      expect(calls).toBeGreaterThan(4);
      expect((await target.compare(5)).differences).not.toEqual([]);
      // As a resumed run would: nothing remembered, the guard read back.
      await bulkLeaderboardProjector(redis, settings, { guards: guardMemory(false), chunkValues: 12 }).apply(items);
      await expectEqualToLive(target);
    });
  });
});

describe('bulk rebuild of tables: deferred keys, logs written apart', () => {
  const keysOf = async (database: string, table: string) => {
    const [rows] = await pool.query<mysql.RowDataPacket[]>(`SELECT DISTINCT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`, [database, table]);
    return rows.map((r) => String(r.name));
  };

  it('replays into tables without the deferred keys and builds them before the swap, also in a resumed run', async () => {
    await perItemLive('tables');
    expect(DEFERRED_KEYS.length).toBeGreaterThan(0);
    const stop = new Error('stopped');
    await expect(runRebuild(deps, targets.tables('rebuild'), { mode: 'rebuild', pageSize: 5, flushEvents: 8, afterPage: () => Promise.reject(stop) })).rejects.toBe(stop);
    const shadow = shadowDatabase(config.MYSQL_DATABASE, 'rebuild');
    for (const key of DEFERRED_KEYS) expect(await keysOf(shadow, key.table)).not.toContain(key.name);

    const resumed = await runRebuild(deps, targets.tables('rebuild'), { mode: 'rebuild', pageSize: 5 });
    expect(resumed).toMatchObject({ swapped: true, resumedFrom: expect.any(Number) as number });
    for (const key of DEFERRED_KEYS) expect(await keysOf(config.MYSQL_DATABASE, key.table)).toContain(key.name);
    const asOf = await runRebuild(deps, targets.tables('verify'), { mode: 'rebuild', until: { position: 12 } });
    expect(asOf.swapped).toBe(false);
    for (const key of DEFERRED_KEYS) expect(await keysOf(shadowDatabase(config.MYSQL_DATABASE, 'verify'), key.table)).toContain(key.name);
    await targets.tables('verify').drop();
  });

  it('the rest of a flush lost after its logs were committed: the window written again ends equal to the per-item model', async () => {
    await perItemLive('tables');
    const target = targets.tables('logsfirst');
    const shadowPool = createPool({ ...mysqlSettingsOf(config, 3), database: shadowDatabase(config.MYSQL_DATABASE, 'logsfirst') });
    await inFreshShadow(target, async () => {
      let lost = 0;
      // The first statement writing guards fails: the transaction with the rest of the window rolls back.
      const lossy = new Proxy(shadowPool, {
        get: (p, key) => {
          if (key === 'getConnection') {
            return async () => {
              const conn = await p.getConnection();
              return new Proxy(conn, {
                get: (c, k) => {
                  if (k === 'query') {
                    return (sql: string | mysql.QueryOptions, values?: unknown[]) =>
                      lost === 0 && typeof sql === 'string' && sql.includes('INTO projection_guards') ? Promise.reject(new Error(`lost ${++lost}`)) : c.query(sql as string, values);
                  }
                  const value: unknown = Reflect.get(c, k);
                  return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(c) : value;
                },
              });
            };
          }
          const value: unknown = Reflect.get(p, key);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(p) : value;
        },
      });
      const items = await everyItem();
      await expect(bulkTablesProjector(lossy, tablesMemory(true)).apply(items)).rejects.toThrow('lost 1');
      const [[logs], [guards]] = await Promise.all([
        shadowPool.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM sleep_logs`),
        shadowPool.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM projection_guards`),
      ]);
      expect(Number(logs[0]?.n)).toBeGreaterThan(10);
      expect(Number(guards[0]?.n)).toBe(0);
      // As a resumed run would: nothing remembered, the guards read back.
      await bulkTablesProjector(shadowPool, tablesMemory(false)).apply(items);
      await target.complete?.();
      await expectEqualToLive(target);
    }, [shadowPool]);
  });

  it('falls back to upserts where LOAD DATA LOCAL is refused, and leaves the same tables', async () => {
    await perItemLive('tables');
    const target = targets.tables('noload');
    const settings = mysqlSettingsOf(config);
    // A client that does not offer local files: the server refuses its loads, as MySQL 8 does by default.
    const refusing = mysql.createPool({ ...settings, database: shadowDatabase(config.MYSQL_DATABASE, 'noload'), connectionLimit: 3, timezone: 'Z', dateStrings: true, flags: ['-LOCAL_FILES'] });
    await inFreshShadow(target, async () => {
      const refusal = await loadLogs(refusing, [['x']]).then(() => undefined, (error: unknown) => error);
      expect(isLocalLoadRefused(refusal), String(refusal)).toBe(true);
      await bulkTablesProjector(refusing, tablesMemory(true)).apply(await everyItem());
      await target.complete?.();
      await expectEqualToLive(target);
    }, [refusing]);
  });

  it('a load the server refuses or warns about (a value it would convert) fails, and its transaction leaves nothing', async () => {
    const target = targets.tables('warns');
    const shadowPool = createPool({ ...mysqlSettingsOf(config, 2), database: shadowDatabase(config.MYSQL_DATABASE, 'warns') });
    await inFreshShadow(target, async () => {
      const row = (logId: string, minutes: unknown) => [logId, u(0), '2026-10-01 23:00:00.000', '2026-10-02 07:00:00.000', minutes, 'UTC', '2026-10-02', 3, null, '2026-10-02 07:00:00.000'];
      const count = async () => Number((await shadowPool.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM sleep_logs`))[0][0]?.n);
      // This server takes local loads (the bulk tests above go through them, not the fallback).
      await loadLogs(shadowPool, [row(randomUUID(), 480)]);
      expect(await count()).toBe(1);
      // Refused as an error in strict mode, as a warning elsewhere: either way the load fails.
      await expect(inTransaction(shadowPool, (conn) => loadLogs(conn, [row(randomUUID(), 480), row(randomUUID(), 'eight hours')]))).rejects.toThrow(/'eight hours'/);
      expect(await count()).toBe(1);
    }, [shadowPool]);
  });
});
