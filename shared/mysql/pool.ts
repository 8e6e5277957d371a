import mysql from 'mysql2/promise';

export type MysqlSettings = {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly poolSize: number;
};

export const createPool = (s: MysqlSettings): mysql.Pool =>
  mysql.createPool({
    host: s.host,
    port: s.port,
    user: s.user,
    password: s.password,
    database: s.database,
    connectionLimit: s.poolSize,
    // Instants are written and read as UTC strings; the session time zone must not shift them.
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
    multipleStatements: false,
  });

/** Connects without a database, creates it if missing. Used by migrations and test setup. */
export const ensureDatabase = async (s: MysqlSettings): Promise<void> => {
  const conn = await mysql.createConnection({ host: s.host, port: s.port, user: s.user, password: s.password });
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS ${mysql.escapeId(s.database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await conn.end();
  }
};

export const dropDatabase = async (s: MysqlSettings): Promise<void> => {
  const conn = await mysql.createConnection({ host: s.host, port: s.port, user: s.user, password: s.password });
  try {
    await conn.query(`DROP DATABASE IF EXISTS ${mysql.escapeId(s.database)}`);
  } finally {
    await conn.end();
  }
};

/** Runs `work` in a transaction on one pooled connection; rolls back on any error. */
export const inTransaction = async <A>(pool: mysql.Pool, work: (conn: mysql.PoolConnection) => Promise<A>): Promise<A> => {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    const result = await work(conn);
    await conn.commit();
    return result;
  } catch (error) {
    await conn.rollback().catch(() => undefined);
    throw error;
  } finally {
    conn.release();
  }
};

export const isDuplicateKey = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ER_DUP_ENTRY';
