import { once } from 'node:events';
import * as E from 'fp-ts/lib/Either.js';
import type { Redis } from 'ioredis';
import { createRedis } from '../shared/redis/client.js';
import type { Kafka } from 'kafkajs';
import type mysql from 'mysql2/promise';
import { decodeConfig, formatConfigErrors, type Config } from '../shared/config/index.js';
import { mysqlAudit, type MysqlAudit } from '../shared/event-store/mysql/audit.js';
import { createMysqlEventStore } from '../shared/event-store/mysql/store.js';
import { connectEventStoreDb, createEventStoreDbStore } from '../shared/event-store/eventstoredb/store.js';
import type { EventStore } from '../shared/event-store/port.js';
import { createKafka, topicsFor, type Topics } from '../shared/kafka/client.js';
import { createPool } from '../shared/mysql/pool.js';
import { mysqlSettingsOf } from '../launcher/infrastructure.js';

/** A failure to report in one line and an exit code, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export type CliIo = {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether stderr is a terminal (progress bars redraw in place only then). */
  readonly interactive: boolean;
};

/** Writes one line, waiting for 'drain' when the stream's buffer is full (backpressure). */
export const writeLine = async (stream: NodeJS.WritableStream, line: string): Promise<void> => {
  if (!stream.write(`${line}\n`)) await once(stream, 'drain');
};

/**
 * The connections a command needs, opened on first use from the same environment variables as
 * the services (see README: Configuration), and closed once when the command ends.
 */
export const cliContext = (io: CliIo) => {
  let config: Config | undefined;
  let pool: mysql.Pool | undefined;
  let store: EventStore | undefined;
  let redis: Redis | undefined;
  let kafka: Kafka | undefined;
  const closers: (() => Promise<void>)[] = [];

  const ctx = {
    io,
    /** Exit code the process ends with; commands raise it (e.g. 1 when verification fails). */
    exitCode: 0,
    config: (): Config => {
      if (!config) {
        const decoded = decodeConfig(io.env);
        if (E.isLeft(decoded)) throw new CliError(formatConfigErrors(decoded.left), 78);
        config = decoded.right;
      }
      return config;
    },
    pool: (): mysql.Pool => {
      if (!pool) {
        // A rebuild holds one connection for its lock, reads two pages at once and saves its position.
        const p = createPool({ ...mysqlSettingsOf(ctx.config()), poolSize: 6 });
        pool = p;
        closers.push(() => p.end());
      }
      return pool;
    },
    store: (): EventStore => {
      if (!store) {
        const c = ctx.config();
        if (c.EVENT_STORE === 'eventstoredb') {
          const s = createEventStoreDbStore(connectEventStoreDb(c.EVENTSTORE_CONNECTION_STRING));
          closers.push(() => s.close());
          store = s;
        } else {
          store = createMysqlEventStore(ctx.pool());
        }
      }
      return store;
    },
    /** The hash chain and raw pages of the log: MySQL/MariaDB only. */
    audit: (): MysqlAudit => {
      if (ctx.config().EVENT_STORE !== 'mysql') throw new CliError('this command reads the MySQL event store (EVENT_STORE=mysql); the hash chain is that adapter’s', 2);
      return mysqlAudit(ctx.pool());
    },
    redis: (): Redis => {
      if (!redis) {
        const r = createRedis(ctx.config().REDIS_URL);
        redis = r;
        closers.push(async () => void (await r.quit()));
      }
      return redis;
    },
    kafka: (): Kafka => {
      kafka ??= createKafka({ brokers: ctx.config().KAFKA_BROKERS, clientId: `${ctx.config().KAFKA_CLIENT_ID}-cli`, topicPrefix: ctx.config().KAFKA_TOPIC_PREFIX });
      return kafka;
    },
    topics: (): Topics => topicsFor(ctx.config().KAFKA_TOPIC_PREFIX),
    /** Runs `close` when the command ends (Kafka clients and the like). */
    onClose: (close: () => Promise<void>): void => void closers.push(close),
    out: (line: string) => writeLine(io.out, line),
    err: (line: string) => writeLine(io.err, line),
    close: async (): Promise<void> => {
      for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    },
  };
  return ctx;
};

export type CliContext = ReturnType<typeof cliContext>;
