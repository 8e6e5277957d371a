import type { FastifyInstance } from 'fastify';
import * as t from 'io-ts';
import { authenticate, principalOf } from '../../shared/auth/authenticate.js';
import { CalendarDate } from '../../shared/events/index.js';
import { decodeRequest } from '../../shared/http/decode.js';
import { routeSchema } from '../../shared/http/openapi.js';
import { clampedLimit, OffsetCursor } from '../../shared/http/query-codecs.js';
import { globalBoardKey, windowOf } from '../../shared/leaderboards/windows.js';
import type { QueryDeps } from '../deps.js';
import { pairs, rankPage } from './ranking.js';

const BoardQuery = t.intersection([
  t.type({ period: t.keyof({ day: null, week: null, month: null }) }),
  t.partial({ date: CalendarDate, limit: clampedLimit(100), cursor: OffsetCursor }),
]);

/** GET /v1/leaderboards/global: a page of the board with ranks, plus the caller's own place. */
export const globalLeaderboardRoute = (deps: QueryDeps) => (app: FastifyInstance): void => {
  const schema = routeSchema({ summary: 'A page of the global leaderboard, with the caller’s place', tags: ['leaderboards'], auth: true, querystring: BoardQuery });
  app.get('/v1/leaderboards/global', { schema, preHandler: authenticate(deps.tokens) }, async (request, reply) => {
    const q = await decodeRequest(BoardQuery, request, reply, 'query');
    if (!q) return reply;
    const date = q.date ?? new Date(deps.clock()).toISOString().slice(0, 10);
    const limit = q.limit ?? 20;
    const offset = q.cursor ?? 0;
    const key = globalBoardKey(deps.redisPrefix, q.period, date);
    const me = principalOf(request).userId;

    const [page, total, myScore, myIndex] = await Promise.all([
      deps.redis.zrevrange(key, offset, offset + limit - 1, 'WITHSCORES').then(pairs),
      deps.redis.zcard(key),
      deps.redis.zscore(key, me),
      deps.redis.zrevrank(key, me),
    ]);
    // The second round trip asks everything that depends on the first at once.
    const first = page[0];
    const [higherThanFirst, higherThanMe, users] = await Promise.all([
      first ? deps.redis.zcount(key, `(${first[1]}`, '+inf') : Promise.resolve(0),
      myScore === null || myIndex === null ? Promise.resolve(null) : deps.redis.zcount(key, `(${myScore}`, '+inf'),
      deps.users.summaries(page.map(([m]) => m)),
    ]);
    const myRank = higherThanMe === null ? null : higherThanMe + 1;

    const nextOffset = offset + page.length;
    return reply.header('cache-control', 'private, max-age=1').send({
      period: q.period,
      window: windowOf(q.period, date),
      total,
      entries: rankPage(page, offset, higherThanFirst).map((r) => ({
        rank: r.rank,
        user: users.get(r.member) ?? { id: r.member, handle: null, displayName: null },
        score: r.score,
      })),
      me: myRank === null ? null : { rank: myRank, score: Number(myScore) },
      nextCursor: nextOffset < total ? OffsetCursor.encode(nextOffset) : null,
    });
  });
};
