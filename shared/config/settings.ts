import * as t from 'io-ts';
import {
  HostPortListFromString,
  NonEmptyString,
  OptionalHttpUrl,
  PortFromString,
  PositiveIntFromString,
  NonNegativeIntFromString,
  SecretString,
  UrlString,
} from './codecs.js';

/**
 * Every setting of every role: the environment variable, its codec, its local default and what it
 * is for. The README's configuration table and docker-compose.yml are checked against this list.
 */
export const settings = {
  PORT: { codec: PortFromString, default: '3000', doc: 'HTTP port of the API (all roles in one process share it).' },
  HOST: { codec: NonEmptyString, default: '127.0.0.1', doc: 'Address the HTTP server binds (0.0.0.0 in containers).' },
  LOG_LEVEL: {
    codec: t.keyof({ fatal: null, error: null, warn: null, info: null, debug: null, trace: null, silent: null }),
    default: 'info',
    doc: 'pino log level.',
  },
  MYSQL_HOST: { codec: NonEmptyString, default: '127.0.0.1', doc: 'MySQL/MariaDB host (event store and read-model tables).' },
  MYSQL_PORT: { codec: PortFromString, default: '3306', doc: 'MySQL/MariaDB port.' },
  MYSQL_USER: { codec: NonEmptyString, default: 'root', doc: 'MySQL/MariaDB user.' },
  MYSQL_PASSWORD: { codec: t.string, default: '', doc: 'MySQL/MariaDB password.' },
  MYSQL_DATABASE: { codec: NonEmptyString, default: 'sleepsocial', doc: 'Database name; created by the migrations if missing.' },
  MYSQL_POOL_SIZE: { codec: PositiveIntFromString, default: '10', doc: 'Connections per process.' },
  REDIS_URL: { codec: UrlString, default: 'redis://127.0.0.1:6379', doc: 'Redis (feeds, leaderboards).' },
  REDIS_KEY_PREFIX: { codec: t.string, default: 'ss:', doc: 'Prefix of every Redis key this deployment writes.' },
  MEMCACHED_SERVERS: { codec: HostPortListFromString, default: '127.0.0.1:11211', doc: 'Memcached servers (profile cache), comma-separated.' },
  KAFKA_BROKERS: { codec: HostPortListFromString, default: '127.0.0.1:9092', doc: 'Kafka bootstrap brokers, comma-separated.' },
  KAFKA_CLIENT_ID: { codec: NonEmptyString, default: 'sleepsocial', doc: 'Kafka client id.' },
  KAFKA_TOPIC_PREFIX: { codec: t.string, default: '', doc: 'Prefix of every topic name (lets tests and tenants share a broker).' },
  KAFKA_USER_EVENTS_PARTITIONS: { codec: PositiveIntFromString, default: '6', doc: 'Partitions of the user-events topic, created at migration.' },
  EVENT_STORE: { codec: t.keyof({ mysql: null, eventstoredb: null }), default: 'mysql', doc: 'Which event store adapter to use.' },
  EVENTSTORE_CONNECTION_STRING: {
    codec: t.string,
    default: '',
    doc: 'EventStoreDB/KurrentDB connection string (esdb://…); required when EVENT_STORE=eventstoredb.',
  },
  JWT_SECRET: {
    codec: SecretString,
    default: 'dev-only-secret-change-me-0123456789abcdef',
    doc: 'HS256 signing key, at least 32 characters. The default is for local development only.',
  },
  JWT_ISSUER: { codec: NonEmptyString, default: 'sleepsocial', doc: 'Issuer (iss) of the tokens we sign and accept.' },
  JWT_AUDIENCE: { codec: NonEmptyString, default: 'sleepsocial-api', doc: 'Audience (aud) of the tokens we sign and accept.' },
  JWT_TTL_SECONDS: { codec: PositiveIntFromString, default: '900', doc: 'Lifetime of an access token.' },
  COMMAND_STATE_CACHE_SIZE: {
    codec: PositiveIntFromString,
    default: '2000',
    doc: 'User streams whose folded state the command API keeps in memory (least recently used go first).',
  },
  RELAY_POLL_MS: { codec: PositiveIntFromString, default: '20', doc: 'How often the relay polls the store when idle.' },
  RELAY_BATCH_SIZE: { codec: PositiveIntFromString, default: '500', doc: 'Events the relay reads and publishes per round.' },
  PROJECTOR_GROUP_PREFIX: { codec: NonEmptyString, default: 'sleepsocial', doc: 'Prefix of the projectors’ Kafka consumer group ids.' },
  READ_YOUR_WRITES_TIMEOUT_MS: {
    codec: PositiveIntFromString,
    default: '2000',
    doc: 'How long a read with minPosition waits for the projections to reach it before answering stale.',
  },
  LEADERBOARD_PAGE_CACHE_MS: {
    codec: NonNegativeIntFromString,
    default: '250',
    doc: 'How long a query process reuses a read of a global leaderboard (a page’s ranks and names, and on a board read whole every caller’s own place); after it, the old read still answers while one reload runs. A board read whole is reused past it until Redis reports a change to the board (client-side caching), its names still refreshed this often. 0 turns it off. Reads with minPosition bypass it.',
  },
  LEADERBOARD_WHOLE_MAX_MEMBERS: {
    codec: NonNegativeIntFromString,
    default: '10000',
    doc: 'A global leaderboard with at most this many members is read whole (again at most once per LEADERBOARD_PAGE_CACHE_MS while it is requested, and only once Redis reports it changed), so each caller’s place is answered from memory; a bigger one costs a Redis read per request for it. Measured here (ZCARD, then ZRANGE): 10k members read in ~11 ms, of which the process ~8 ms and Redis ~4 ms; 20k in ~18 ms (the process ~16 ms). Each board read whole holds ~100 bytes per member; 16 boards are kept at most.',
  },
  READY_MAX_PROJECTOR_LAG: {
    codec: PositiveIntFromString,
    default: '10000',
    doc: 'Messages a projection may lag behind user-events (summed over partitions) before /readyz of a projector answers 503 naming it.',
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    codec: OptionalHttpUrl,
    default: '',
    doc: 'OpenTelemetry collector base URL (OTLP/HTTP, traces sent to …/v1/traces); empty turns tracing off.',
  },
  LEADERBOARD_RETENTION_DAYS: { codec: PositiveIntFromString, default: '400', doc: 'How long leaderboard windows are kept in Redis.' },
  FEED_LENGTH: { codec: PositiveIntFromString, default: '500', doc: 'Most recent entries kept in each home feed (Redis).' },
  FEED_RETENTION_DAYS: {
    codec: PositiveIntFromString,
    default: '7',
    doc: 'Days a sleep log stays in home feeds, counted from when the sleep ended; older entries are dropped on write and on read.',
  },
  FEED_ITEM_CACHE_MS: {
    codec: NonNegativeIntFromString,
    default: '5000',
    doc: 'How long a query process may hold a feed page or item it read. Redis reports every change to them (client-side caching with CLIENT TRACKING), so new nights, corrections and retractions show at once; this bounds how long an author’s new name may take to show, together with the 5 s the process keeps users’ names (so 10 s at most). Each held page is read from Redis again this often: at 1 s, 200 readers’ pages re-read every second cost each page answered ~3 µs of CPU (S6). 0 reads every page afresh, as reads with minPosition do.',
  },
  FEED_SYNC_MS: {
    codec: NonNegativeIntFromString,
    default: '5',
    doc: 'A held feed page is answered once every change Redis finished at least this long before the request has been heard of (a PING on the invalidation connection, sent that recently, answered). Under load one PING then serves every request for this long, and none waits for it; 0 makes every request wait for a PING sent after it arrived (~15 µs of CPU more per page, measured in S6).',
  },
} as const;

export type SettingName = keyof typeof settings;
