import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { Config } from '../../shared/config/index.js';
import { createTokenService } from '../../shared/auth/tokens.js';
import { createMysqlEventStore } from '../../shared/event-store/mysql/store.js';
import type { EventStore } from '../../shared/event-store/port.js';
import type { UserEvent, UserId } from '../../shared/events/index.js';
import { systemClock } from '../../shared/ids.js';
import { leaderboardProjector } from '../../projections/leaderboards/projector.js';
import { feedProjector } from '../../projections/feeds/projector.js';
import { tablesProjector } from '../../projections/tables/projector.js';
import { toProjectionItem } from '../../projections/runtime/decode.js';
import type { Projector } from '../../projections/runtime/projector.js';
import { appendTo, benchUserId, followed, inParallel, registered, sleptUntil, tokensFor } from '../fixtures.js';
import { alternate, median, withCleanup, type Context, type Row, type Scenario, type Side } from '../harness.js';
import { isolated, poolOf } from '../isolated.js';
import { cpuMeter, runLoad, type LoadResult } from '../load.js';
import { freePort, ROOT, startChild } from '../processes.js';
import { APP_NODE_ARGS } from '../../launcher/node-args.js';

const CONNECTIONS = 16;
const READERS = 200;
const FOLLOWS_PER_READER = 50;

/** The environment that points a launcher process at a scenario's private slice of the servers. */
export const envOf = (config: Config, port: number): Record<string, string> => ({
  PORT: String(port),
  MYSQL_DATABASE: config.MYSQL_DATABASE,
  REDIS_KEY_PREFIX: config.REDIS_KEY_PREFIX,
  KAFKA_TOPIC_PREFIX: config.KAFKA_TOPIC_PREFIX,
  KAFKA_USER_EVENTS_PARTITIONS: String(config.KAFKA_USER_EVENTS_PARTITIONS),
  PROJECTOR_GROUP_PREFIX: config.PROJECTOR_GROUP_PREFIX,
  JWT_SECRET: config.JWT_SECRET,
  // Per-request info logs to a pipe would measure pino, not the app; warnings still show.
  LOG_LEVEL: 'warn',
});

/** Feeds every user event in the store, in order, to the projectors' `apply`, as the runtime would. */
export const project = async (store: EventStore, projectors: readonly Projector[]): Promise<number> => {
  let after = 0;
  let count = 0;
  for (;;) {
    const page = await store.readAll({ afterPosition: after, limit: 1_000, streamPrefixes: ['user-'] });
    const last = page[page.length - 1];
    if (!last) return count;
    const items = page.map((e) => toProjectionItem(e).item);
    for (const projector of projectors) await projector.apply(items);
    after = last.metadata.position;
    count += page.length;
  }
};

const ok = (label: string) => (r: LoadResult) => {
  if (r.ok === 0 || r.failed > r.ok / 100) throw new Error(`${label}: ${r.failed} failed, ${r.ok} ok`);
  return r;
};

const run = (ctx: Context): Promise<Row[]> =>
  withCleanup(async (defer) => {
    const users = ctx.mode === 'quick' ? 1_000 : 10_000;
    const config = await isolated('s6', defer);
    const pool = poolOf(config, 10, defer);
    const store = createMysqlEventStore(pool);
    const redis = new Redis(config.REDIS_URL);
    defer(() => Promise.resolve(redis.disconnect()));

    // Everyone slept last night (various lengths); the first READERS users follow 50 others each.
    const ids = Array.from({ length: users }, (_, i) => benchUserId(config.MYSQL_DATABASE, i));
    const lastNight = Date.parse(`${new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)}T07:00:00.000Z`);
    const date = new Date(lastNight).toISOString().slice(0, 10);
    const filled = performance.now();
    await inParallel(ids, 32, (userId: UserId, i) => {
      const follows: UserEvent[] = i < READERS ? Array.from({ length: FOLLOWS_PER_READER }, (_, k) => followed(userId, ids[(i + 1 + k * 7) % users] as UserId)) : [];
      return appendTo(store, userId, [registered(userId, i), sleptUntil(userId, lastNight, 240 + ((i * 37) % 400)), ...follows], 'no_stream');
    });
    const projected = await project(store, [
      leaderboardProjector(redis, { prefix: config.REDIS_KEY_PREFIX, retentionDays: config.LEADERBOARD_RETENTION_DAYS }),
      feedProjector(redis, { prefix: config.REDIS_KEY_PREFIX, length: config.FEED_LENGTH, retentionDays: config.FEED_RETENTION_DAYS, clock: systemClock }),
      tablesProjector(pool),
    ]);
    ctx.log(`${users} users, ${READERS} of them following ${FOLLOWS_PER_READER}: ${projected} events stored and projected in ${((performance.now() - filled) / 1000).toFixed(1)} s`);

    const [apiPort, helloPort] = await Promise.all([freePort(), freePort()]);
    const api = await startChild({ name: 'query API', script: 'launcher/main.ts', nodeArgs: APP_NODE_ARGS, args: ['--role', 'query-api'], port: apiPort, env: envOf(config, apiPort), readyPath: '/readyz' });
    defer(() => api.stop());
    const hello = await startChild({ name: 'hello world', script: 'bench/hello-server.ts', port: helloPort, env: { BENCH_PORT: String(helloPort) } });
    defer(() => hello.stop());

    const tokens = await tokensFor(
      createTokenService({ secret: config.JWT_SECRET, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, ttlSeconds: 3_600 }),
      ids.slice(0, READERS),
    );
    // Every request as one of the readers, each request prebuilt once (see `variants`).
    const readers = tokens.map((token) => ({ headers: { authorization: `Bearer ${token}` } }));
    const boardPath = `/v1/leaderboards/global?period=day&date=${date}&limit=100`;

    // What is measured must be the real answer: a full page of ranked, named users, and a feed.
    const check = async (path: string) => {
      const res = await fetch(`${api.url}${path}`, readers[0]);
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
      const body: unknown = await res.json();
      return body;
    };
    const board = await check(boardPath);
    const named = typeof board === 'object' && board !== null && Array.isArray((board as { entries?: unknown }).entries) ? (board as { entries: { user: { handle: unknown } }[] }).entries : [];
    if (named.length !== 100 || named.some((e) => typeof e.user.handle !== 'string')) throw new Error('the leaderboard page is not 100 named entries');
    const withFeed = existsSync(`${ROOT}query-side/feed/route.ts`);
    if (withFeed) {
      const feed = await check('/v1/feed');
      const items = typeof feed === 'object' && feed !== null ? (feed as { items?: unknown }).items : undefined;
      if (!Array.isArray(items) || items.length === 0) throw new Error('the feed page is empty');
      ctx.log(`feed page: ${items.length} items`);
    }

    // Server CPU per answered request over all rounds: a figure the other load on the machine moves less.
    const cpu = cpuMeter();
    const get = (label: string, url: string, pid: number, variants?: typeof readers): Side<LoadResult> => ({
      label,
      round: (ms) => cpu.run(label, pid, () => runLoad({ url, method: 'GET', connections: CONNECTIONS, durationMs: ms, ...(variants ? { variants } : {}) }).then(ok(label))),
    });
    const sides = [
      get('leaderboard top-100', `${api.url}${boardPath}`, api.pid, readers),
      ...(withFeed ? [get('feed page', `${api.url}/v1/feed`, api.pid, readers)] : []),
      get('hello GET', `${hello.url}/hello`, hello.pid),
    ];
    const results = await alternate(sides, ctx.budget, ctx.log, (r) => `${r.rps.toFixed(0)}/s`);
    const max = results.map((rs) => median(rs.map((r) => r.rps)));
    const helloMax = max[max.length - 1] ?? Number.NaN;

    // Latency at half of each one's own maximum rate (open loop at that overall rate).
    const atHalf = async (side: Side<LoadResult>, url: string, rate: number, variants?: typeof readers) => {
      const r = await runLoad({ url, method: 'GET', connections: CONNECTIONS, durationMs: ctx.budget.roundMs * 2, overallRate: Math.round(rate / 2), ...(variants ? { variants } : {}) }).then(ok(side.label));
      ctx.log(`${side.label} at ${Math.round(rate / 2)}/s (50% of max): p50 ${r.p50} ms, p99 ${r.p99} ms`);
      return r;
    };
    const helloHalf = await atHalf(sides[sides.length - 1] as Side<LoadResult>, `${hello.url}/hello`, helloMax);
    const rows: Row[] = [];
    const measured = [
      { label: 'leaderboard top-100 (GET /v1/leaderboards/global?period=day&limit=100)', url: `${api.url}${boardPath}`, max: max[0] ?? Number.NaN },
      ...(withFeed ? [{ label: 'feed page (GET /v1/feed, 20 items)', url: `${api.url}/v1/feed`, max: max[1] ?? Number.NaN }] : []),
    ];
    for (const [i, m] of measured.entries()) {
      const side = sides[i] as Side<LoadResult>;
      const half = await atHalf(side, m.url, m.max, readers);
      rows.push(
        { scenario: 'S6', metric: `${m.label.split(' (')[0] ?? m.label} server CPU per request (vs hello), during the max rounds`, unit: 'µs', a: cpu.micros(side.label), b: cpu.micros('hello GET') },
        { scenario: 'S6', metric: `${m.label} vs hello GET, max (c=${CONNECTIONS})`, unit: 'req/s', a: m.max, b: helloMax, goal: { kind: 'ratio-at-least', value: 0.45 } },
        { scenario: 'S6', metric: `${m.label.split(' (')[0] ?? m.label} p50 at 50% of max (vs hello at 50% of its max)`, unit: 'ms', a: half.p50, b: helloHalf.p50 },
        { scenario: 'S6', metric: `${m.label.split(' (')[0] ?? m.label} p99 at 50% of max (vs hello at 50% of its max)`, unit: 'ms', a: half.p99, b: helloHalf.p99 },
      );
    }
    return rows;
  });

export const s6: Scenario = { id: 'S6', title: 'leaderboard top-100 (and feed page) vs Fastify hello-world GET', run };
