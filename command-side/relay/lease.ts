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
 */
export const mysqlLease = (pool: mysql.Pool, name: string, retryMs = 1_000): Lease => {
  let conn: mysql.PoolConnection | undefined;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  return {
    acquire: async (isRunning) => {
      while (isRunning()) {
        conn ??= await pool.getConnection();
        const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT GET_LOCK(?, 0) AS got`, [name]);
        if (rows[0]?.got === 1) return true;
        await sleep(retryMs);
      }
      return false;
    },
    stillHeld: async () => {
      if (!conn) return false;
      try {
        const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT IS_USED_LOCK(?) = CONNECTION_ID() AS mine`, [name]);
        return rows[0]?.mine === 1;
      } catch {
        conn.destroy();
        conn = undefined;
        return false;
      }
    },
    release: async () => {
      if (!conn) return;
      try {
        await conn.query(`SELECT RELEASE_LOCK(?)`, [name]);
      } finally {
        conn.release();
        conn = undefined;
      }
    },
  };
};
