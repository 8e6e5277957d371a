import type mysql from 'mysql2/promise';

/** A named, ordered list of idempotent statements. Ids are recorded once applied. */
export type Migration = { readonly id: string; readonly statements: readonly string[] };

/**
 * Applies the migrations not yet recorded, in order. A named lock keeps two processes starting at
 * once (the all-in-one process and a scaled-out role) from applying the same one twice.
 */
export const migrate = async (pool: mysql.Pool, migrations: readonly Migration[], log: (line: string) => void = () => undefined): Promise<string[]> => {
  const conn = await pool.getConnection();
  try {
    const [lock] = await conn.query<mysql.RowDataPacket[]>(`SELECT GET_LOCK('sleepsocial_migrations', 60) AS got`);
    if (lock[0]?.got !== 1) throw new Error('could not take the migration lock within 60 s');
    try {
      await conn.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (id VARCHAR(128) NOT NULL PRIMARY KEY, applied_at DATETIME(3) NOT NULL) ENGINE=InnoDB`,
      );
      const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT id FROM schema_migrations`);
      const applied = new Set(rows.map((r) => String(r.id)));
      const done: string[] = [];
      for (const m of migrations) {
        if (applied.has(m.id)) continue;
        for (const sql of m.statements) await conn.query(sql);
        await conn.query(`INSERT INTO schema_migrations (id, applied_at) VALUES (?, UTC_TIMESTAMP(3))`, [m.id]);
        log(`migrated ${m.id}`);
        done.push(m.id);
      }
      return done;
    } finally {
      await conn.query(`SELECT RELEASE_LOCK('sleepsocial_migrations')`);
    }
  } finally {
    conn.release();
  }
};
