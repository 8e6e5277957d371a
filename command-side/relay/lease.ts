import type mysql from 'mysql2/promise';

export type Lease = {
  /** Resolves once this instance holds the lease (polling while another holds it), or false if stopped. */
  acquire(isRunning: () => boolean): Promise<boolean>;
  /** Whether the lease is still ours: the connection holding it can die. */
  stillHeld(): Promise<boolean>;
  release(): Promise<void>;
};

/**
 * A MySQL named lock held on a dedicated connection. If the process dies, the server drops the
 * connection and the lock with it, so a standby relay takes over without any timeout to tune.
 * A connection that failed is thrown away, never reused: the lock went with it.
 */
export const mysqlLease = (pool: mysql.Pool, name: string, retryMs = 1_000): Lease => {
  let conn: mysql.PoolConnection | undefined;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const discard = () => {
    conn?.destroy();
    conn = undefined;
  };
  const ask = async (sql: string): Promise<number | undefined> => {
    try {
      conn ??= await pool.getConnection();
      const [rows] = await conn.query<mysql.RowDataPacket[]>(sql, [name]);
      return rows[0]?.answer === null ? undefined : Number(rows[0]?.answer);
    } catch {
      discard();
      return undefined;
    }
  };
  return {
    acquire: async (isRunning) => {
      while (isRunning()) {
        if ((await ask(`SELECT GET_LOCK(?, 0) AS answer`)) === 1) return true;
        await sleep(retryMs);
      }
      return false;
    },
    stillHeld: async () => conn !== undefined && (await ask(`SELECT IS_USED_LOCK(?) = CONNECTION_ID() AS answer`)) === 1,
    release: async () => {
      if (!conn) return;
      await ask(`SELECT RELEASE_LOCK(?) AS answer`);
      conn?.release();
      conn = undefined;
    },
  };
};
