import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import type mysql from 'mysql2/promise';
import { eventHash, GENESIS } from '../../shared/event-store/audit/hash.js';
import { mysqlDateTime } from '../../shared/event-store/mysql/append.js';
import { createMysqlEventStore } from '../../shared/event-store/mysql/store.js';
import type { UserEvent, UserId } from '../../shared/events/index.js';
import { mysqlSettingsOf } from '../../shared/mysql/settings.js';
import { leaderboardsTarget } from '../../cli/projections.js';
import { DEFAULT_PAGE_SIZE, runRebuild, type RebuildDeps } from '../../cli/rebuild/engine.js';
import { tablesTarget } from '../../cli/rebuild/tables-target.js';
import type { RebuildTarget } from '../../cli/rebuild/target.js';
import { benchUserId, followed, metadataFor, registered, sleptUntil } from '../fixtures.js';
import { throughputs, withCleanup, type Context, type Row, type Scenario } from '../harness.js';
import { isolated, poolOf } from '../isolated.js';

const EVENTS_PER_USER = 100;
const INSERT_ROWS = 2_000;
const DAY = 86_400_000;

/**
 * A valid store written straight into `events` / `streams` (as append.ts writes them: positions,
 * revisions, chained hashes, head hashes), users interleaved revision by revision as the command
 * side would leave them. Per user: registered, then nights over the last 100 days, every 20th a
 * correction of the night before, one retraction, one follow. Answers the SleepLogged count.
 */
export const fill = async (pool: mysql.Pool, userCount: number): Promise<number> => {
  const users = Array.from({ length: userCount }, (_, i) => benchUserId('s8', i));
  const heads = users.map(() => GENESIS);
  const lastLog = users.map(() => ({ logId: '', endMs: 0, minutes: 0 }));
  const now = Date.now();
  const stamp = mysqlDateTime(now);
  const recordedAt = new Date(now).toISOString();
  let position = 0;
  let logged = 0;
  let rows: unknown[][] = [];
  const inFlight = new Set<Promise<unknown>>();
  const flush = async () => {
    const batch = rows;
    rows = [];
    const insert = pool.query(`INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata, recorded_at, hash) VALUES ?`, [batch]);
    inFlight.add(insert);
    void insert.finally(() => inFlight.delete(insert)).catch(() => undefined);
    if (inFlight.size >= 4) await Promise.race(inFlight);
  };
  for (let revision = 0; revision < EVENTS_PER_USER; revision++) {
    for (const [i, userId] of users.entries()) {
      const last = lastLog[i] ?? { logId: '', endMs: 0, minutes: 0 };
      const endMs = now - (EVENTS_PER_USER - revision) * DAY + (i % 120) * 60_000;
      let event: UserEvent;
      if (revision === 0) event = registered(userId, i);
      else if (revision === 10) event = followed(userId, benchUserId('s8', (i + 1) % userCount));
      else if (revision === 50) event = { type: 'SleepLogRetracted', data: { userId, logId: last.logId } } as UserEvent;
      else if (revision % 20 === 0) {
        const corrected = sleptUntil(userId, last.endMs, last.minutes + 15);
        event = { type: 'SleepLogCorrected', data: { ...corrected.data, logId: last.logId } } as UserEvent;
      } else {
        const minutes = 360 + ((i + revision) % 180);
        event = sleptUntil(userId, endMs, minutes);
        lastLog[i] = { logId: (event.data as { logId: string }).logId, endMs, minutes };
        logged++;
      }
      const metadata = metadataFor(userId);
      const stream = `user-${userId}`;
      const hash = eventHash(heads[i] ?? GENESIS, { streamId: stream, revision, position: ++position, type: event.type, data: event.data, metadata, recordedAt });
      heads[i] = hash;
      rows.push([position, metadata.eventId, stream, revision, event.type, JSON.stringify(event.data), JSON.stringify(metadata), stamp, hash]);
      if (rows.length >= INSERT_ROWS) await flush();
    }
  }
  if (rows.length > 0) await flush();
  await Promise.all(inFlight);
  for (let i = 0; i < users.length; i += INSERT_ROWS) {
    await pool.query(`INSERT INTO streams (stream_id, revision, head_hash, updated_at) VALUES ?`, [
      users.slice(i, i + INSERT_ROWS).map((u: UserId, k) => [`user-${u}`, EVENTS_PER_USER - 1, heads[i + k], stamp]),
    ]);
  }
  await pool.query(`UPDATE event_store_head SET position = ? WHERE id = 1`, [position]);
  return logged;
};

type Page = mysql.RowDataPacket[];

/** The baseline's read side: a raw keyset scan of `events`, same page size as the rebuild. */
const scan = async (pool: mysql.Pool, each: (page: Page) => Promise<void>): Promise<number> => {
  let events = 0;
  for (let position = 0; ; ) {
    const [page] = await pool.query<Page>(`SELECT position, stream_id, revision, type, data, metadata FROM events WHERE position > ? ORDER BY position LIMIT ?`, [position, DEFAULT_PAGE_SIZE]);
    const last = page[page.length - 1];
    if (!last) return events;
    await each(page);
    events += page.length;
    position = Number(last.position);
    if (page.length < DEFAULT_PAGE_SIZE) return events;
  }
};

const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
const perSecond = (events: number, started: number) => events / ((performance.now() - started) / 1000);

const run = (ctx: Context): Promise<Row[]> =>
  withCleanup(async (defer) => {
    const total = ctx.mode === 'quick' ? 50_000 : 1_000_000;
    const config = await isolated('s8', defer);
    const pool = poolOf(config, 8, defer);
    const store = createMysqlEventStore(pool);
    const redis = new Redis(config.REDIS_URL);
    defer(() => Promise.resolve(redis.disconnect()));

    const filling = performance.now();
    const logged = await fill(pool, total / EVENTS_PER_USER);
    ctx.log(`store filled with ${await store.headPosition()} events (${logged} SleepLogged) in ${((performance.now() - filling) / 1000).toFixed(1)} s`);

    const deps: RebuildDeps = { pool, store, database: config.MYSQL_DATABASE, err: quiet, interactive: false };
    const budget = { ...ctx.budget, rounds: ctx.mode === 'quick' ? ctx.budget.rounds : 3 };
    const replayRates: Record<string, number[]> = { leaderboards: [], tables: [] };
    // The whole command as `sleepsocial projections rebuild <name>` runs it: lock, fresh shadow,
    // replay, swap (which also removes the previous version), catch-up.
    const rebuild = (name: string, target: () => RebuildTarget) => async () => {
      const started = performance.now();
      const report = await runRebuild(deps, target(), { mode: 'rebuild' });
      replayRates[name]?.push(report.eventsPerSecond);
      return perSecond(report.events, started);
    };

    const rawBoards = `${config.REDIS_KEY_PREFIX}s8raw:`;
    const [boardsRate, rawRedisRate] = await throughputs(
      [
        { label: 'rebuild leaderboards', round: rebuild('leaderboards', () => leaderboardsTarget(redis, config, 'rebuild')) },
        {
          label: 'scan + ZINCRBY',
          round: async () => {
            const old = await redis.keys(`${rawBoards}*`);
            if (old.length > 0) await redis.unlink(...old);
            const started = performance.now();
            const events = await scan(pool, async (page) => {
              const pipeline = redis.pipeline();
              for (const row of page) {
                if (row.type !== 'SleepLogged') continue;
                const d = JSON.parse(String(row.data)) as { userId: string; wakeDate: string; durationMinutes: number };
                pipeline.zincrby(`${rawBoards}${d.wakeDate}`, d.durationMinutes, d.userId);
              }
              await pipeline.exec();
            });
            return perSecond(events, started);
          },
        },
      ],
      budget,
      ctx.log,
    );

    await pool.query(`CREATE TABLE s8_raw_logs LIKE sleep_logs`);
    const [tablesRate, rawMysqlRate] = await throughputs(
      [
        { label: 'rebuild tables', round: rebuild('tables', () => tablesTarget(pool, mysqlSettingsOf(config), 'rebuild')) },
        {
          label: 'scan + multi-row INSERT',
          round: async () => {
            await pool.query(`TRUNCATE TABLE s8_raw_logs`);
            const started = performance.now();
            const events = await scan(pool, async (page) => {
              const rows = page.flatMap((row) => {
                if (row.type !== 'SleepLogged') return [];
                const d = JSON.parse(String(row.data)) as Record<string, string | number | null>;
                const dt = (v: unknown) => String(v).replace('T', ' ').replace('Z', '');
                return [[d.logId, d.userId, dt(d.startedAt), dt(d.endedAt), d.durationMinutes, d.timezone, d.wakeDate, d.quality, d.note, dt(d.endedAt)]];
              });
              for (let i = 0; i < rows.length; i += 1_000) {
                await pool.query(
                  `INSERT INTO s8_raw_logs (log_id, user_id, started_at, ended_at, duration_minutes, timezone, wake_date, quality, note, updated_at) VALUES ?`,
                  [rows.slice(i, i + 1_000)],
                );
              }
            });
            return perSecond(events, started);
          },
        },
      ],
      budget,
      ctx.log,
    );

    const replay = (name: string) => `replay alone (the CLI's events/s, before the swap): median ${Math.round([...(replayRates[name] ?? [])].sort((a, b) => a - b)[Math.floor((replayRates[name]?.length ?? 0) / 2)] ?? 0)}/s`;
    const rows: Row[] = [];
    for (const [name, a, b, baseline] of [
      ['leaderboards', boardsRate, rawRedisRate, 'raw keyset scan + pipelined ZINCRBY per SleepLogged'],
      ['tables', tablesRate, rawMysqlRate, 'raw keyset scan + multi-row INSERT (1000 rows) per SleepLogged'],
    ] as const) {
      rows.push(
        { scenario: 'S8', metric: `full rebuild of ${name}, ${total} events, vs ${baseline}`, unit: 'events/s', a, b, goal: { kind: 'ratio-at-least', value: 0.5 }, note: replay(name) },
        { scenario: 'S8', metric: `full rebuild of ${name}, absolute`, unit: 'events/s', a, goal: { kind: 'at-least', value: 50_000 } },
      );
    }
    return rows;
  });

export const s8: Scenario = { id: 'S8', title: 'full projection rebuild from the store vs raw scan + raw writes', run };
