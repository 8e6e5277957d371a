import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type mysql from 'mysql2/promise';
import { createMysqlEventStore } from '../../shared/event-store/mysql/store.js';
import type { EventStore } from '../../shared/event-store/port.js';
import type { UserId } from '../../shared/events/index.js';
import { sleptUntil, toNew } from '../fixtures.js';
import { throughputs, withCleanup, type Budget, type Context, type Log, type Row, type Scenario, type Side } from '../harness.js';
import { isolated, poolOf } from '../isolated.js';

/** Runs `op` from `concurrency` async workers for `ms`; completed operations per second. */
export const closedLoop = async (concurrency: number, ms: number, op: () => Promise<void>): Promise<number> => {
  const started = performance.now();
  const end = started + ms;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await op();
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
};

/** One new event as the command side appends it: a night of sleep with full metadata. */
export const oneEvent = () => {
  const userId = randomUUID() as UserId;
  return { stream: `user-${userId}`, events: toNew(userId, [sleptUntil(userId, Date.now() - 3_600_000, 420)]) };
};

export const storeSide = (store: EventStore, concurrency: number, label = `store.append c=${concurrency}`): Side<number> => ({
  label,
  round: (ms) =>
    closedLoop(concurrency, ms, async () => {
      const { stream, events } = oneEvent();
      const result = await store.append(stream, events, 'no_stream');
      if (E.isLeft(result)) throw new Error(`unexpected conflict on a new stream ${stream}`);
    }),
});

const RAW_TABLE = `CREATE TABLE IF NOT EXISTS bench_raw_events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id CHAR(36) CHARACTER SET ascii NOT NULL,
  stream_id VARCHAR(128) NOT NULL,
  type VARCHAR(64) NOT NULL,
  data LONGTEXT NOT NULL,
  metadata TEXT NOT NULL,
  recorded_at DATETIME(3) NOT NULL,
  UNIQUE KEY bench_raw_event_id (event_id)
) ENGINE=InnoDB`;

/** The floor: the same row, one autocommit INSERT per event, no stream check, no position. */
const rawSide = (pool: mysql.Pool, concurrency: number): Side<number> => ({
  label: `raw INSERT c=${concurrency}`,
  round: (ms) =>
    closedLoop(concurrency, ms, async () => {
      const { stream, events } = oneEvent();
      const e = events[0];
      if (!e) return;
      await pool.query(`INSERT INTO bench_raw_events (event_id, stream_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(3))`, [
        e.metadata.eventId,
        stream,
        e.type,
        JSON.stringify(e.data),
        JSON.stringify(e.metadata),
      ]);
    }),
});

/**
 * Statements and fsyncs the server did per operation during one short run of a side, from the
 * server's global counters (so other clients of the server add noise): what an append costs.
 */
const serverCost = async (pool: mysql.Pool, side: Side<number>, ms: number): Promise<string> => {
  const counters = async () => {
    const [rows] = await pool.query<mysql.RowDataPacket[]>(
      `SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Com_commit', 'Innodb_data_fsyncs')`,
    );
    return new Map(rows.map((r) => [String(r.Variable_name), Number(r.Value)]));
  };
  const before = await counters();
  const started = performance.now();
  const rate = await side.round(ms);
  const ops = (rate * (performance.now() - started)) / 1000;
  const after = await counters();
  const per = (name: string) => (((after.get(name) ?? 0) - (before.get(name) ?? 0)) / ops).toFixed(2);
  return `${side.label}: ${per('Questions')} statements, ${per('Com_commit')} COMMITs, ${per('Innodb_data_fsyncs')} fsyncs per op`;
};

/** The store's appends per second at `concurrency`, in a database of its own (S7 uses it when S2 did not run). */
export const measureStoreMax = (concurrency: number, budget: Budget, log: Log): Promise<number> =>
  withCleanup(async (defer) => {
    const config = await isolated('s2max', defer);
    const store = createMysqlEventStore(poolOf(config, concurrency, defer));
    const [rate] = await throughputs([storeSide(store, concurrency)], { ...budget, rounds: 1 }, log);
    return rate ?? Number.NaN;
  });

const run = (ctx: Context): Promise<Row[]> =>
  withCleanup(async (defer) => {
    const config = await isolated('s2', defer);
    const rows: Row[] = [];
    for (const [concurrency, goal] of [
      [1, 0.85],
      [16, 2],
    ] as const) {
      // Each side gets its own pool of `concurrency` connections to the same server.
      const store = createMysqlEventStore(poolOf(config, concurrency, defer));
      const rawPool = poolOf(config, concurrency, defer);
      await rawPool.query(RAW_TABLE);
      const sides = [storeSide(store, concurrency), rawSide(rawPool, concurrency)] as const;
      const [ours, raw] = await throughputs(sides, ctx.budget, ctx.log);
      ctx.figures.set(`S2.store.c${concurrency}`, ours ?? Number.NaN);
      const costs = [await serverCost(rawPool, sides[0], 1_000), await serverCost(rawPool, sides[1], 1_000)];
      for (const cost of costs) ctx.log(cost);
      rows.push({
        scenario: 'S2',
        metric: `durable append, 1 event to a new stream, c=${concurrency}: MySQL store vs raw autocommit INSERT`,
        unit: 'appends/s',
        a: ours,
        b: raw,
        goal: { kind: 'ratio-at-least', value: goal },
        note: costs.join('; '),
      });
    }
    return rows;
  });

export const s2: Scenario = { id: 'S2', title: 'MySQL event store append vs raw mysql2 INSERT (same server, same durability)', run };
