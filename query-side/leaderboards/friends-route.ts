import type { FastifyInstance } from 'fastify';
import type mysql from 'mysql2/promise';
import { authenticate, principalOf } from '../../shared/auth/authenticate.js';
import { decodeRequest } from '../../shared/http/decode.js';
import { routeSchema } from '../../shared/http/openapi.js';
import { OffsetCursor } from '../../shared/http/query-codecs.js';
import { globalBoardKey, windowOf } from '../../shared/leaderboards/windows.js';
import type { QueryDeps } from '../deps.js';
import { BoardPage, BoardQuery, pageOf } from './page.js';
import { rankPage } from './ranking.js';


/** Board order: score descending, ties as Redis' ZREVRANGE orders them (member descending). */
const byBoardOrder = (a: readonly [string, number], b: readonly [string, number]): number => b[1] - a[1] || (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0);

/**
 * GET /v1/leaderboards/friends: the caller and the people they follow, scored from the global
 * board of the window with one ZMSCORE. Whoever has no score there is left out (not shown as 0).
 * The circle is small enough to rank in memory; pages are offsets into that ranking.
 */
export const friendsLeaderboardRoute = (deps: QueryDeps) => (app: FastifyInstance): void => {
  const schema = routeSchema({ summary: 'The leaderboard of the caller and the people they follow', tags: ['leaderboards'], auth: true, querystring: BoardQuery, response: BoardPage });
  app.get('/v1/leaderboards/friends', { schema, preHandler: authenticate(deps.tokens) }, async (request, reply) => {
    const q = decodeRequest(BoardQuery, request, reply, 'query');
    if (!q) return reply;
    const { date, limit, offset } = pageOf(q, deps.clock);
    const me = principalOf(request).userId;

    const [rows] = await deps.pool.query<mysql.RowDataPacket[]>(`SELECT followee_id FROM follows WHERE follower_id = ?`, [me]);
    const circle = [me, ...rows.map((r) => String(r.followee_id))];
    const scores = await deps.redis.zmscore(globalBoardKey(deps.redisPrefix, q.period, date), ...circle);
    const scored = circle.flatMap((member, i): [string, number][] => {
      const score = scores[i];
      return score === null || score === undefined ? [] : [[member, Number(score)]];
    });
    const ranked = rankPage(scored.sort(byBoardOrder), 0, 0);
    const page = ranked.slice(offset, offset + limit);
    const users = await deps.users.summaries(page.map((r) => r.member));
    const mine = ranked.find((r) => r.member === me);

    const nextOffset = offset + page.length;
    return reply.header('cache-control', 'private, max-age=1').send({
      period: q.period,
      window: windowOf(q.period, date),
      total: ranked.length,
      entries: page.map((r) => ({ rank: r.rank, user: users.get(r.member) ?? { id: r.member, handle: null, displayName: null }, score: r.score })),
      me: mine ? { rank: mine.rank, score: mine.score } : null,
      nextCursor: page.length > 0 && nextOffset < ranked.length ? OffsetCursor.encode(nextOffset) : null,
    });
  });
};
