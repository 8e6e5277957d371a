import type { FastifyInstance } from 'fastify';
import { Partitioners, type Admin } from 'kafkajs';
import type { Config } from '../shared/config/index.js';
import { createTokenService } from '../shared/auth/tokens.js';
import { buildHttpApp, type HttpAppOptions, type ReadinessCheck } from '../shared/http/app.js';
import type { EventStore } from '../shared/event-store/port.js';
import { observedStore } from '../shared/event-store/observed.js';
import { cachedFor, createMetrics, watchProjectorLag, watchRelayLag, type Metrics } from '../shared/observability/metrics.js';
import { createMysqlEventStore } from '../shared/event-store/mysql/store.js';
import { mysqlAudit } from '../shared/event-store/mysql/audit.js';
import { connectEventStoreDb, createEventStoreDbStore } from '../shared/event-store/eventstoredb/store.js';
import { randomIds, systemClock } from '../shared/ids.js';
import { commandRoutes } from '../command-side/routes.js';
import { lruStreamCache } from '../command-side/user-stream/stream.js';
import { mysqlIdempotencyStore } from '../command-side/idempotency/store.js';
import { createRelay, type Relay } from '../command-side/relay/relay.js';
import { mysqlCheckpoint } from '../command-side/relay/checkpoint.js';
import { relayLag } from '../command-side/relay/lag.js';
import type { CommandObserver } from '../command-side/user-stream/handle.js';
import { mysqlLease } from '../command-side/relay/lease.js';
import { queryRoutes } from '../query-side/routes.js';
import { userDirectory } from '../query-side/users.js';
import { runProjector, type RunningProjector } from '../projections/runtime/run.js';
import type { Projector } from '../projections/runtime/projector.js';
import { withProgress } from '../projections/runtime/progress.js';
import { leaderboardProjector } from '../projections/leaderboards/projector.js';
import { feedProjector } from '../projections/feeds/projector.js';
import { tablesProjector } from '../projections/tables/projector.js';
import { memcachedCache } from '../shared/memcached/client.js';
import { createRedis } from '../shared/redis/client.js';
import { startTracking } from '../query-side/tracking/tracking.js';
import { auditRoutes } from '../audit/routes.js';
import { connect } from './infrastructure.js';
import { operationsView, projectionLagChecks, projectionLags, PROJECTIONS, sharedAdmin } from './operations.js';
import type { Role } from './roles.js';

export type System = {
  readonly app: FastifyInstance;
  /** This process's Prometheus registry and metrics (served at GET /metrics). */
  readonly metrics: Metrics;
  readonly relay: Relay | undefined;
  readonly projectors: readonly RunningProjector[];
  /** Starts the background roles (relay, projectors); HTTP is started by the caller. */
  start(): Promise<void>;
  stop(): Promise<void>;
};

/** Wakes the relay right after an append when both run in this process (low write → read latency). */
const nudging = (store: EventStore, relay: () => Relay | undefined): EventStore => ({
  ...store,
  append: async (...args) => {
    const result = await store.append(...args);
    relay()?.nudge();
    return result;
  },
});

type SystemLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;

/** Each command's outcome: counted by command and outcome, and logged with its correlation id. */
const commandObserver =
  (metrics: Metrics, log: SystemLog): CommandObserver =>
  ({ command, outcome, userId, correlationId }) => {
    metrics.commands.inc({ command, outcome });
    log('info', `command ${command}: ${outcome}`, { correlationId, command, outcome, userId });
  };

/** Kafka is asked for consumer lag at most this often, however often /metrics and /readyz are hit. */
const PROJECTOR_LAG_CACHE_MS = 5_000;

/**
 * Builds the roles asked for, around one set of connections. Each role only touches the
 * dependencies it needs, and `/readyz` checks exactly those.
 */
export const buildSystem = (config: Config, roles: readonly Role[], logger: HttpAppOptions['logger'] = false): System => {
  const has = (r: Role) => roles.includes(r);
  // The app reads its readiness checks per request; they are filled in once the connections exist.
  const readiness: ReadinessCheck[] = [];
  // One registry per process, handed to what records into it.
  const metrics = createMetrics();
  const app = buildHttpApp({ logger, readiness, metrics });
  const log: SystemLog = (level, message, extra = {}) => app.log[level](extra, message);
  const infra = connect(config, log);
  const cache = has('projector') || has('query-api') ? memcachedCache(config.MEMCACHED_SERVERS) : undefined;
  const admin = sharedAdmin(infra.kafka);
  readiness.push(...readinessOf(infra, roles, admin.get));
  if (cache) readiness.push({ name: 'memcached', check: () => cache.ping() });
  const tokens = createTokenService({ secret: config.JWT_SECRET, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, ttlSeconds: config.JWT_TTL_SECONDS }, systemClock);
  let relay: Relay | undefined;
  const baseStore =
    config.EVENT_STORE === 'eventstoredb' ? createEventStoreDbStore(connectEventStoreDb(config.EVENTSTORE_CONNECTION_STRING)) : createMysqlEventStore(infra.pool);
  if (config.EVENT_STORE === 'eventstoredb') readiness.push({ name: 'eventstoredb', check: async () => void (await baseStore.headPosition()) });
  const store = nudging(observedStore(baseStore, metrics.appendDuration), () => relay);
  const checkpoint = mysqlCheckpoint(infra.pool, 'user-events');
  const producer = has('relay') || has('projector') ? infra.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner }) : undefined;

  if (has('command-api')) {
    commandRoutes({
      store,
      clock: systemClock,
      ids: randomIds,
      tokens,
      idempotency: mysqlIdempotencyStore(infra.pool),
      observe: commandObserver(metrics, log),
      streamCache: lruStreamCache(config.COMMAND_STATE_CACHE_SIZE),
    })(app);
  }
  // Auditors read the store itself (history, state as of, hash chain), so they come with the command API.
  if (has('command-api')) auditRoutes({ store: baseStore, tokens, ...(config.EVENT_STORE === 'mysql' ? { audit: mysqlAudit(infra.pool) } : {}) })(app);
  const feed = { length: config.FEED_LENGTH, retentionDays: config.FEED_RETENTION_DAYS };
  // `cache` always exists with the query-api role; the check only narrows its type.
  // The read API has a connection of its own, without auto-pipelining (see createRedis).
  const readRedis = has('query-api') ? createRedis(config.REDIS_URL, { autoPipelining: false }) : undefined;
  if (readRedis) readiness.push({ name: 'redis (reads)', check: async () => void (await readRedis.ping()) });
  // Feed items and pages, and board reads, held until Redis reports them changed (see query-side/tracking).
  const tracking =
    readRedis && (config.FEED_ITEM_CACHE_MS > 0 || config.LEADERBOARD_PAGE_CACHE_MS > 0)
      ? startTracking(config.REDIS_URL, { log: (message, error) => log('warn', message, { error: error instanceof Error ? error.message : String(error) }) })
      : undefined;
  const reuse = config.FEED_ITEM_CACHE_MS > 0 ? { itemCacheMs: config.FEED_ITEM_CACHE_MS, syncMs: config.FEED_SYNC_MS } : undefined;
  if (readRedis && cache) queryRoutes({ redis: readRedis, tracking, pool: infra.pool, tokens, clock: systemClock, redisPrefix: config.REDIS_KEY_PREFIX, feed: { ...feed, ...(reuse && { reuse }) }, cache, readYourWritesTimeoutMs: config.READ_YOUR_WRITES_TIMEOUT_MS, leaderboardPageCacheMs: config.LEADERBOARD_PAGE_CACHE_MS, leaderboardWholeMaxMembers: config.LEADERBOARD_WHOLE_MAX_MEMBERS, users: userDirectory(infra.pool, { ttlMs: 5_000, max: 50_000 }) })(app);
  if (has('relay') && producer) {
    relay = createRelay(
      { store, producer, checkpoint, lease: mysqlLease(infra.pool, `${config.MYSQL_DATABASE}.relay`), log, metrics: { published: (n) => metrics.relayPublished.inc(n) } },
      { topic: infra.topics.userEvents, batchSize: config.RELAY_BATCH_SIZE, pollMs: config.RELAY_POLL_MS },
    );
  }

  // Lag of each hop, computed when scraped: the relay's (every relay instance reports the stored
  // checkpoint) and each projection's per partition (cached, so scrapes do not hammer Kafka).
  const unavailable = (what: string) => (error: unknown) => log('warn', `metrics: ${what} unavailable`, { error: error instanceof Error ? error.message : String(error) });
  if (has('relay')) watchRelayLag(metrics, () => relayLag({ store: baseStore, checkpoint, clock: systemClock }), unavailable('relay lag'));
  if (has('projector')) {
    const lags = cachedFor(PROJECTOR_LAG_CACHE_MS, () => projectionLags(config, admin.get));
    watchProjectorLag(
      metrics,
      async () => (await lags()).flatMap((p) => p.partitions.map((x) => ({ projection: p.name, partition: x.partition, lag: x.lag }))),
      unavailable('projector lag'),
    );
    readiness.push(...projectionLagChecks(lags, config.READY_MAX_PROJECTOR_LAG));
    // Present from the start (0), so rate() and increase() see the first dead letter.
    for (const projection of PROJECTIONS) metrics.deadLetters.inc({ projection }, 0);
  }

  // Operators' view of every hop: store head, relay checkpoint and lag, projector lag per partition.
  app.get('/v1/system', async () => ({ roles, ...(await operationsView({ config, store, checkpoint, admin: admin.get, relay, clock: systemClock })) }));

  const projectors: RunningProjector[] = [];
  let relayRun: Promise<void> | undefined;

  return {
    app,
    metrics,
    get relay() {
      return relay;
    },
    projectors,
    start: async () => {
      if (producer) await producer.connect();
      if (relay) relayRun = relay.run();
      if (has('projector') && producer) {
        const runtimeDeps = { kafka: infra.kafka, producer, store, log, metrics: { deadLettered: (projection: string) => metrics.deadLetters.inc({ projection }) } };
        // Each projector records how far it got per stream, for read-your-writes on the query side.
        const tracked = (p: Projector) => withProgress(p, infra.redis, config.REDIS_KEY_PREFIX);
        const topic = { topic: infra.topics.userEvents, deadLetterTopic: infra.topics.deadLetters };
        projectors.push(
          await runProjector(tracked(leaderboardProjector(infra.redis, { prefix: config.REDIS_KEY_PREFIX, retentionDays: config.LEADERBOARD_RETENTION_DAYS })), runtimeDeps, {
            ...topic,
            groupId: `${config.PROJECTOR_GROUP_PREFIX}.leaderboards`,
          }),
          await runProjector(tracked(feedProjector(infra.redis, { prefix: config.REDIS_KEY_PREFIX, ...feed, clock: systemClock })), runtimeDeps, {
            ...topic,
            groupId: `${config.PROJECTOR_GROUP_PREFIX}.feeds`,
          }),
          await runProjector(
            tracked(tablesProjector(infra.pool, cache && { cache, prefix: config.REDIS_KEY_PREFIX, onError: (e) => log('warn', 'profile cache refresh failed', { error: String(e) }) })),
            runtimeDeps,
            // MySQL is written in batches: a fetch returns at 64 KiB or after 500 ms, whichever first.
            { ...topic, groupId: `${config.PROJECTOR_GROUP_PREFIX}.tables`, maxWaitMs: 500, minBytes: 64 * 1024 },
          ),
        );
      }
    },
    stop: async () => {
      await app.close();
      await relay?.stop();
      await relayRun;
      await Promise.all(projectors.map((p) => p.stop()));
      await producer?.disconnect();
      await admin.close();
      infra.redis.disconnect();
      readRedis?.disconnect();
      tracking?.close();
      cache?.close();
      if (config.EVENT_STORE === 'eventstoredb') await baseStore.close();
      await infra.pool.end();
    },
  };
};

function readinessOf(infra: ReturnType<typeof connect>, roles: readonly Role[], admin: () => Promise<Admin>): ReadinessCheck[] {
  const checks: ReadinessCheck[] = [{ name: 'mysql', check: async () => void (await infra.pool.query('SELECT 1')) }];
  if (roles.includes('query-api') || roles.includes('projector')) checks.push({ name: 'redis', check: async () => void (await infra.redis.ping()) });
  if (roles.includes('relay') || roles.includes('projector')) {
    checks.push({
      name: 'kafka',
      check: async () => void (await (await admin()).describeCluster()),
    });
  }
  return checks;
}
