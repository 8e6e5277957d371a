import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import os from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import type { Config } from '../shared/config/index.js';

const settled = async (probe: () => Promise<string>): Promise<string> => {
  try {
    return await probe();
  } catch (error) {
    return `unavailable (${error instanceof Error ? error.message : String(error)})`;
  }
};

const mariadb = (c: Config) =>
  settled(async () => {
    const conn = await mysql.createConnection({ host: c.MYSQL_HOST, port: c.MYSQL_PORT, user: c.MYSQL_USER, password: c.MYSQL_PASSWORD });
    try {
      const [rows] = await conn.query<mysql.RowDataPacket[]>(
        `SELECT VERSION() AS v, @@innodb_flush_log_at_trx_commit AS flush, @@sync_binlog AS sync_binlog, @@log_bin AS log_bin,
                @@innodb_flush_method AS method, @@innodb_buffer_pool_size AS pool`,
      );
      const r = rows[0];
      if (!r) throw new Error('no answer to SELECT VERSION()');
      return `MariaDB/MySQL ${String(r.v)}; innodb_flush_log_at_trx_commit=${String(r.flush)}, sync_binlog=${String(r.sync_binlog)}, log_bin=${String(r.log_bin)}, innodb_flush_method=${String(r.method)}, buffer pool ${Number(r.pool) / 2 ** 20} MiB`;
    } finally {
      await conn.end();
    }
  });

const redis = (c: Config) =>
  settled(async () => {
    const client = new Redis(c.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      const version = /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? '?';
      const [, aof] = (await client.config('GET', 'appendonly')) as string[];
      const [, fsync] = (await client.config('GET', 'appendfsync')) as string[];
      return `Redis ${version}; appendonly=${aof ?? '?'}, appendfsync=${fsync ?? '?'}`;
    } finally {
      client.disconnect();
    }
  });

/** The broker `npm run services` runs: its version from the cached jars, its flush settings from its config. */
const kafka = (): string => {
  const dir = join(process.env.SLEEPSOCIAL_CACHE_DIR ?? join(homedir(), '.cache', 'sleepsocial'), 'kafka');
  let version = 'unknown version';
  let flush = 'no log.flush.* set (the broker leaves fsync to the OS; durability comes from acks=-1 on the replicas, here 1)';
  try {
    version = /^kafka-clients-(.+)\.jar$/.exec(readdirSync(join(dir, 'lib')).find((f) => f.startsWith('kafka-clients-')) ?? '')?.[1] ?? version;
    const set = readFileSync(join(dir, 'server.properties'), 'utf8').split('\n').filter((l) => l.startsWith('log.flush.'));
    if (set.length > 0) flush = set.join(', ');
  } catch {
    // not started by `npm run services`: version and settings unknown
  }
  return `Kafka ${version} (single KRaft node); producers use acks=-1; ${flush}`;
};

/** Which code was measured: the commit, and whether the work tree differed from it. */
const code = (): string => {
  const git = (...args: string[]) => spawnSync('git', args, { encoding: 'utf8' }).stdout.trim();
  const head = git('log', '-1', '--format=%h %s');
  if (!head) return 'Code: not a git work tree';
  const changed = git('status', '--porcelain', '--untracked-files=no').split('\n').filter(Boolean).length;
  return `Code: ${head}${changed > 0 ? ` (+ uncommitted changes in ${changed} tracked files)` : ''}`;
};

/** What the numbers were measured on; printed first, since every figure depends on it. */
export const describeMachine = async (c: Config): Promise<string[]> => {
  const cpus = os.cpus();
  return [
    `CPU: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown'}; memory ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    `OS: ${os.type()} ${os.release()}; Node ${process.version}`,
    code(),
    await mariadb(c),
    await redis(c),
    kafka(),
  ];
};
