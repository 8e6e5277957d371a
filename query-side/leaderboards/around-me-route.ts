import { CalendarDate } from '../../shared/events/index.js';
import type { FastifyInstance } from 'fastify';
import * as t from 'io-ts';
import { authenticate, principalOf } from '../../shared/auth/authenticate.js';
import { decodeRequest } from '../../shared/http/decode.js';
import { routeSchema } from '../../shared/http/openapi.js';
import { clampedLimit } from '../../shared/http/query-codecs.js';
import { globalBoardKey, windowOf } from '../../shared/leaderboards/windows.js';
import type { QueryDeps } from '../deps.js';
import { dateOrToday } from './page.js';
import { rankPage } from './ranking.js';
import { pairs } from '../with-scores.js';

const AroundQuery = t.intersection([t.type({ period: t.keyof({ day: null, week: null, month: null }) }), t.partial({ date: CalendarDate, radius: clampedLimit(25) })]);

/**
 * GET /v1/leaderboards/global/around-me: the caller's neighbourhood on the global board, `radius`
 * places above and below. The first entry's rank comes from counting strictly higher scores, so
 * a tie that starts above the window still ranks right.
 */
export const aroundMeRoute = (deps: QueryDeps) => (app: FastifyInstance): void => {
  const schema = routeSchema({ summary: 'The global leaderboard around the caller', tags: ['leaderboards'], auth: true, querystring: AroundQuery });
  app.get('/v1/leaderboards/global/around-me', { schema, preHandler: authenticate(deps.tokens) }, async (request, reply) => {
    const q = decodeRequest(AroundQuery, request, reply, 'query');
    if (!q) return reply;
    const date = dateOrToday(q.date, deps.clock);
    const radius = q.radius ?? 5;
    const key = globalBoardKey(deps.redisPrefix, q.period, date);
    const me = principalOf(request).userId;
    const base = { period: q.period, window: windowOf(q.period, date), radius };
    reply.header('cache-control', 'private, max-age=1');

    const [myIndex, myScore] = await Promise.all([deps.redis.zrevrank(key, me), deps.redis.zscore(key, me)]);
    if (myIndex === null || myScore === null) return reply.send({ ...base, me: null, entries: [] });
    const start = Math.max(0, myIndex - radius);
    const page = pairs(await deps.redis.zrevrange(key, start, myIndex + radius, 'WITHSCORES'));
    const first = page[0];
    const [higherThanFirst, higherThanMe] = await Promise.all([
      first ? deps.redis.zcount(key, `(${first[1]}`, '+inf') : Promise.resolve(0),
      deps.redis.zcount(key, `(${myScore}`, '+inf'),
    ]);
    const users = await deps.users.summaries(page.map(([m]) => m));
    return reply.send({
      ...base,
      me: { rank: higherThanMe + 1, score: Number(myScore) },
      entries: rankPage(page, start, higherThanFirst).map((r) => ({
        rank: r.rank,
        user: users.get(r.member) ?? { id: r.member, handle: null, displayName: null },
        score: r.score,
      })),
    });
  });
};
