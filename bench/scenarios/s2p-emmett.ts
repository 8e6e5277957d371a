import { randomBytes } from 'node:crypto';
import { createMysqlEventStore } from '../../shared/event-store/mysql/store.js';
import { throughputs, withCleanup, type Context, type Row, type Scenario } from '../harness.js';
import { isolated, poolOf } from '../isolated.js';
import { loadEmmett, type PgPool } from '../peer/emmett.js';
import { closedLoop, oneEvent, storeSide } from './s2-append.js';

const CONCURRENCY = 16;
/** The local PostgreSQL (trust auth); BENCH_PG_URL points elsewhere. Its database `postgres` is only used to create ours. */
const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const skipped = (note: string): Row[] => [
  { scenario: 'S2p', metric: `durable append c=${CONCURRENCY}: our MySQL store vs Emmett PostgreSQL appendToStream`, unit: 'appends/s', outcome: 'SKIPPED', note },
];

const run = (ctx: Context): Promise<Row[]> =>
  withCleanup(async (defer) => {
    const peer = loadEmmett(ctx.log);
    if (typeof peer === 'string') {
      ctx.log(`Emmett unavailable: ${peer}`);
      return skipped(`Emmett unavailable: ${peer}`);
    }
    // An idle pooled connection that the server closes (DROP DATABASE … WITH (FORCE) at the end)
    // is reported as an 'error' event by pg; unheard, it would crash the bench.
    const quiet = (pool: PgPool): PgPool => {
      pool.on('error', (error) => ctx.log(`PostgreSQL pool: ${error.message}`));
      return pool;
    };
    const admin = quiet(new peer.Pool({ connectionString: ADMIN_URL, max: 1 }));
    defer(() => admin.end());
    let settings: string;
    try {
      const [version, sync, fsync, method] = await Promise.all(
        ['server_version', 'synchronous_commit', 'fsync', 'wal_sync_method'].map(async (name) => String((await admin.query(`SHOW ${name}`)).rows[0]?.[name])),
      );
      settings = `PostgreSQL ${version ?? '?'}: synchronous_commit=${sync ?? '?'}, fsync=${fsync ?? '?'}, wal_sync_method=${method ?? '?'}`;
    } catch (error) {
      const why = `PostgreSQL not reachable at ${ADMIN_URL} (${error instanceof Error ? error.message : String(error)})`;
      ctx.log(why);
      return skipped(why);
    }
    ctx.log(`Emmett ${peer.version} on ${settings}`);

    const database = `ssbench_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${database}`);
    defer(() => admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    const url = new URL(ADMIN_URL);
    url.pathname = `/${database}`;
    const pgPool = quiet(new peer.Pool({ connectionString: url.toString(), max: CONCURRENCY }));
    defer(() => pgPool.end());
    const emmett = peer.getPostgreSQLEventStore(url.toString(), { connectionOptions: { pool: pgPool } });
    defer(() => emmett.close());
    await emmett.schema.migrate();

    const config = await isolated('s2p', defer);
    const store = createMysqlEventStore(poolOf(config, CONCURRENCY, defer));
    const [ours, theirs] = await throughputs(
      [
        storeSide(store, CONCURRENCY, `our store (MySQL) c=${CONCURRENCY}`),
        {
          label: `Emmett appendToStream (PostgreSQL) c=${CONCURRENCY}`,
          round: (ms) =>
            closedLoop(CONCURRENCY, ms, async () => {
              // The same event (type, data, metadata) to a new stream, as in S2.
              const { stream, events } = oneEvent();
              const e = events[0];
              if (!e) return;
              await emmett.appendToStream(stream, [{ type: e.type, data: e.data as Record<string, unknown>, metadata: { ...e.metadata } }]);
            }),
        },
      ],
      ctx.budget,
      ctx.log,
    );
    return [
      {
        scenario: 'S2p',
        metric: `durable append c=${CONCURRENCY}: our MySQL store vs Emmett ${peer.version} PostgreSQL appendToStream`,
        unit: 'appends/s',
        a: ours,
        b: theirs,
        goal: { kind: 'ratio-at-least', value: 2 },
        note: settings,
      },
    ];
  });

export const s2p: Scenario = { id: 'S2p', title: 'our MySQL store vs a real peer, Emmett on PostgreSQL', run };
