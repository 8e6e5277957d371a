import type mysql from 'mysql2/promise';

export type UserSummary = { readonly id: string; readonly handle: string; readonly displayName: string };

/** Handles and names for a page of user ids, from the users read model, in one query. */
export const userSummaries = async (pool: mysql.Pool, ids: readonly string[]): Promise<Map<string, UserSummary>> => {
  if (ids.length === 0) return new Map();
  const [rows] = await pool.query<mysql.RowDataPacket[]>(`SELECT user_id, handle, display_name FROM users WHERE user_id IN (?)`, [ids]);
  return new Map(rows.map((r) => [String(r.user_id), { id: String(r.user_id), handle: String(r.handle), displayName: String(r.display_name) }]));
};
