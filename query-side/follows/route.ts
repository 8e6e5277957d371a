import type { FastifyInstance } from 'fastify';
import type mysql from 'mysql2/promise';
import * as t from 'io-ts';
import { authenticate } from '../../shared/auth/authenticate.js';
import { decodeRequest } from '../../shared/http/decode.js';
import { routeSchema } from '../../shared/http/openapi.js';
import { problem, sendProblem } from '../../shared/http/problem.js';
import { clampedLimit } from '../../shared/http/query-codecs.js';
import { UserPath } from '../access.js';
import type { QueryDeps } from '../deps.js';
import { datetimeOf, instantOf, keysetPage, KeysetCursor } from '../keyset.js';

const FollowsQuery = t.partial({ limit: clampedLimit(100), cursor: KeysetCursor });

/** The two directions of the follows table: whose column is the listed user, whose the other one. */
const directions = {
  followers: { self: 'followee_id', other: 'follower_id', count: 'followers' },
  following: { self: 'follower_id', other: 'followee_id', count: 'following' },
} as const;
type Direction = keyof typeof directions;

/** The listed user's count from follow_counts (0 without a row), or undefined for an unknown user. */
const totalOf = async (pool: mysql.Pool, userId: string, direction: Direction): Promise<number | undefined> => {
  const [rows] = await pool.query<mysql.RowDataPacket[]>(
    `SELECT COALESCE(c.${directions[direction].count}, 0) AS total FROM users u LEFT JOIN follow_counts c ON c.user_id = u.user_id WHERE u.user_id = ?`,
    [userId],
  );
  return rows[0] ? Number(rows[0].total) : undefined;
};

/**
 * Newest first, paged by keyset on (since, other user's id). The other user may not be in
 * `users` yet (their registration is on another partition): then their names are null.
 */
const followRoute = (direction: Direction) => (deps: QueryDeps) => (app: FastifyInstance): void => {
  const { self, other } = directions[direction];
  const schema = routeSchema({ summary: direction === 'followers' ? 'Who follows a user' : 'Whom a user follows', tags: ['following'], auth: true, params: UserPath, querystring: FollowsQuery });
  app.get(`/v1/users/:userId/${direction}`, { schema, preHandler: authenticate(deps.tokens) }, async (request, reply) => {
    const path = decodeRequest(UserPath, request, reply, 'params');
    if (!path) return reply;
    const q = decodeRequest(FollowsQuery, request, reply, 'query');
    if (!q) return reply;
    const total = await totalOf(deps.pool, path.userId, direction);
    if (total === undefined) return sendProblem(reply, problem('USER_NOT_FOUND', `No user ${path.userId}.`));

    const limit = q.limit ?? 20;
    const after = q.cursor ? ` AND (f.since < ? OR (f.since = ? AND f.${other} < ?))` : '';
    const at = q.cursor ? datetimeOf(q.cursor.at) : undefined;
    const [rows] = await deps.pool.query<mysql.RowDataPacket[]>(
      `SELECT f.${other} AS id, f.since, u.handle, u.display_name FROM follows f LEFT JOIN users u ON u.user_id = f.${other}
       WHERE f.${self} = ?${after} ORDER BY f.since DESC, f.${other} DESC LIMIT ?`,
      [path.userId, ...(q.cursor ? [at, at, q.cursor.id] : []), limit + 1],
    );
    const items = rows.map((r) => ({
      user: { id: String(r.id), handle: r.handle === null ? null : String(r.handle), displayName: r.display_name === null ? null : String(r.display_name) },
      since: instantOf(r.since),
    }));
    const page = keysetPage(items, limit, (item) => ({ at: item.since, id: item.user.id }));
    return reply.send({ userId: path.userId, total, items: page.items, nextCursor: page.nextCursor });
  });
};

/** GET /v1/users/:userId/followers */
export const followersRoute = followRoute('followers');
/** GET /v1/users/:userId/following */
export const followingRoute = followRoute('following');
