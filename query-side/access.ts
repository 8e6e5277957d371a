import type mysql from 'mysql2/promise';
import * as t from 'io-ts';
import { UserId } from '../shared/events/index.js';

/** The path of every per-user read route. */
export const UserPath = t.strict({ userId: UserId }, 'UserPath');

export type UserFacts = { readonly timezone: string; readonly callerFollows: boolean };

/** The user's row and whether the caller follows them, in one query; undefined for an unknown user. */
export const userFacts = async (pool: mysql.Pool, caller: string, userId: string): Promise<UserFacts | undefined> => {
  const [rows] = await pool.query<mysql.RowDataPacket[]>(
    `SELECT u.timezone, EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = ? AND f.followee_id = u.user_id) AS caller_follows
     FROM users u WHERE u.user_id = ?`,
    [caller, userId],
  );
  const r = rows[0];
  return r ? { timezone: String(r.timezone), callerFollows: Number(r.caller_follows) === 1 } : undefined;
};

/**
 * Who may read a user's sleep (logs and stats): the user and their followers. Profiles and
 * follow lists are public to any signed-in user, so answering 404 before 403 reveals nothing.
 */
export const sleepAccess = async (
  pool: mysql.Pool,
  caller: string,
  userId: string,
): Promise<{ readonly denied: 'USER_NOT_FOUND' | 'FORBIDDEN' } | { readonly denied: null; readonly user: UserFacts }> => {
  const user = await userFacts(pool, caller, userId);
  if (!user) return { denied: 'USER_NOT_FOUND' };
  if (caller !== userId && !user.callerFollows) return { denied: 'FORBIDDEN' };
  return { denied: null, user };
};
