import type mysql from 'mysql2/promise';

/** A public profile as the API shows it: the users row and the follow counts. */
export type Profile = {
  readonly id: string;
  readonly handle: string;
  readonly displayName: string;
  readonly timezone: string;
  readonly registeredAt: string;
  readonly followers: number;
  readonly following: number;
};

export const profileKey = (prefix: string, userId: string): string => `${prefix.replace(/[^A-Za-z0-9:._-]/g, '_')}profile:${userId}`;
export const PROFILE_TTL_SECONDS = 300;

const profileOf = (r: mysql.RowDataPacket): Profile => ({
  id: String(r.user_id),
  handle: String(r.handle),
  displayName: String(r.display_name),
  timezone: String(r.timezone),
  registeredAt: `${String(r.registered_at).replace(' ', 'T')}Z`,
  followers: Number(r.followers),
  following: Number(r.following),
});

const SELECT_PROFILES = `SELECT u.user_id, u.handle, u.display_name, u.timezone, u.registered_at, COALESCE(c.followers, 0) AS followers, COALESCE(c.following, 0) AS following
     FROM users u LEFT JOIN follow_counts c ON c.user_id = u.user_id`;

/** The profiles of these users that exist, in one query (a projector batch touches many). */
export const loadProfiles = async (pool: mysql.Pool, userIds: readonly string[]): Promise<Map<string, Profile>> => {
  if (userIds.length === 0) return new Map();
  const [rows] = await pool.query<mysql.RowDataPacket[]>(`${SELECT_PROFILES} WHERE u.user_id IN (?)`, [userIds]);
  return new Map(rows.map((r) => [String(r.user_id), profileOf(r)]));
};

export const loadProfile = async (pool: mysql.Pool, userId: string): Promise<Profile | undefined> => {
  const [rows] = await pool.query<mysql.RowDataPacket[]>(`${SELECT_PROFILES} WHERE u.user_id = ?`, [userId]);
  const r = rows[0];
  return r ? profileOf(r) : undefined;
};
