// Readiness probes: each resolves only when the service really does its job for a client, not
// merely when its port accepts connections (Kafka, for one, listens long before it can serve).
import net from 'node:net';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';

/** The server answered but refuses us (bad credentials): waiting longer will not help. */
export class ProbeRejected extends Error {}

export interface HostPort {
  host: string;
  port: number;
}

export interface MysqlTarget extends HostPort {
  user: string;
  password: string;
}

const PROBE_TIMEOUT_MS = 2_000;

/** Raises the server's InnoDB buffer pool to `bytes` when it is smaller; answers what it did. */
export async function raiseBufferPool(target: MysqlTarget, bytes: number): Promise<string | undefined> {
  const connection = await mysql.createConnection({ ...target, connectTimeout: PROBE_TIMEOUT_MS });
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT @@innodb_buffer_pool_size AS size');
    const size = Number(rows[0]?.size ?? 0);
    if (size >= bytes) return undefined;
    await connection.query('SET GLOBAL innodb_buffer_pool_size = ?', [bytes]);
    return `InnoDB buffer pool raised from ${Math.round(size / 1024 ** 2)} MiB to ${Math.round(bytes / 1024 ** 2)} MiB`;
  } finally {
    await connection.end().catch(() => undefined);
  }
}

export async function probeMysql(target: MysqlTarget): Promise<void> {
  let connection: mysql.Connection;
  try {
    connection = await mysql.createConnection({ ...target, connectTimeout: PROBE_TIMEOUT_MS });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if ((typeof code === 'string' && code.startsWith('ER_ACCESS_DENIED')) || code === 'ER_DBACCESS_DENIED_ERROR') {
      throw new ProbeRejected(`refuses user ${target.user}: ${(error as Error).message}`);
    }
    throw error;
  }
  try {
    await connection.query('SELECT 1');
  } finally {
    await connection.end().catch(() => undefined);
  }
}

export async function probeRedis(url: string): Promise<void> {
  // One attempt per probe: the retry loop lives in the caller, where it can watch the deadline.
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // connect() rejects with a bare "Connection is closed."; the cause only reaches 'error' listeners.
  let cause: Error | undefined;
  client.on('error', (error: Error) => (cause ??= error));
  try {
    await client.connect();
    const reply = await client.ping();
    if (reply !== 'PONG') throw new Error(`PING answered ${JSON.stringify(reply)}`);
  } catch (error) {
    const reason = cause ?? (error as Error);
    if (/NOAUTH|WRONGPASS/.test(reason.message)) throw new ProbeRejected(reason.message);
    throw reason;
  } finally {
    client.disconnect();
  }
}

/** Speaks the text protocol directly: memjs would retry and log on its own schedule. */
export function probeMemcached({ host, port }: HostPort): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let answer = '';
    const finish = (error?: Error): void => {
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => finish(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)));
    socket.on('connect', () => socket.write('version\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (!answer.includes('\r\n')) return;
      finish(answer.startsWith('VERSION ') ? undefined : new Error(`unexpected answer ${JSON.stringify(answer.trim())}`));
    });
    socket.on('error', finish);
    socket.on('close', () => finish(new Error('connection closed without an answer')));
  });
}

export async function probeKafka(brokers: string[]): Promise<void> {
  const admin = new Kafka({
    clientId: 'sleepsocial-services-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: PROBE_TIMEOUT_MS,
    requestTimeout: 5_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('cluster metadata lists no brokers');
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
