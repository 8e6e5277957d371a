import type mysql from 'mysql2/promise';

export type Checkpoint = { read(): Promise<number>; save(position: number): Promise<void> };

export const mysqlCheckpoint = (pool: mysql.Pool, name: string): Checkpoint => ({
  read: async () => {
    const [rows] = await pool.query<mysql.RowDataPacket[]>(`SELECT position FROM relay_checkpoints WHERE name = ?`, [name]);
    return rows[0] ? Number(rows[0].position) : 0;
  },
  save: async (position) => {
    // GREATEST: a checkpoint only moves forward, even if an old instance writes late.
    await pool.query(
      `INSERT INTO relay_checkpoints (name, position, updated_at) VALUES (?, ?, UTC_TIMESTAMP(3))
       ON DUPLICATE KEY UPDATE position = GREATEST(position, VALUES(position)), updated_at = VALUES(updated_at)`,
      [name, position],
    );
  },
});
