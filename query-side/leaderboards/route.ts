import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Result } from 'ioredis';
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { authenticate, principalOf } from '../../shared/auth/authenticate.js';
import { decodeRequest } from '../../shared/http/decode.js';
import { routeSchema } from '../../shared/http/openapi.js';
import { OffsetCursor } from '../../shared/http/query-codecs.js';
import { globalBoardKey, windowOf } from '../../shared/leaderboards/windows.js';
import type { QueryDeps } from '../deps.js';
import { readsOwnWrite } from '../read-your-writes.js';
import { BoardPage, BoardQuery, pageOf } from './page.js';
import { pageCache } from './page-cache.js';
import { pairs, rankPage } from './ranking.js';

const script = (name: string) => readFileSync(new URL(`./${name}.lua`, import.meta.url), 'utf8');

declare module 'ioredis' {
  interface RedisCommander<Context> {
    sleepsocialBoardPage(board: string, offset: string, count: string): Result<unknown, Context>;
    sleepsocialBoardPlace(board: string, member: string): Result<unknown, Context>;
  }
}

const PageReply = t.tuple([t.number, t.number, t.array(t.string)]);
/** {score, members above} for a scored member, {} for one without a score. */
const PlaceReply = t.array(t.union([t.string, t.number]));

/** A page as every caller sees it, with its entries serialised once. */
type SharedPage = { readonly total: number; readonly count: number; readonly entriesJson: string };

const decoded = <A>(codec: t.Decoder<unknown, A>, reply: unknown, what: string): A => {
  const result = codec.decode(reply);
  if (E.isLeft(result)) throw new Error(`unexpected reply from the board ${what} script`);
  return result.right;
};

/**
 * GET /v1/leaderboards/global: a page of the board with ranks, plus the caller's own place. The
 * page (ranks and names) may be reused for `leaderboardPageCacheMs`; the caller's place is read on
 * every request, and a read-your-writes read (`minPosition`) never uses a reused page.
 */
export const globalLeaderboardRoute = (deps: QueryDeps) => (app: FastifyInstance): void => {
  deps.redis.defineCommand('sleepsocialBoardPage', { numberOfKeys: 1, lua: script('page') });
  deps.redis.defineCommand('sleepsocialBoardPlace', { numberOfKeys: 1, lua: script('place') });
  const pages = pageCache<SharedPage>({ ttlMs: deps.leaderboardPageCacheMs, max: 1_000 }, deps.clock);
  const loadPage = async (board: string, offset: number, limit: number): Promise<SharedPage> => {
    const [total, higherThanFirst, flat] = decoded(PageReply, await deps.redis.sleepsocialBoardPage(board, String(offset), String(limit)), 'page');
    const page = pairs(flat);
    const users = await deps.users.summaries(page.map(([m]) => m));
    const entries: BoardPage['entries'] = rankPage(page, offset, higherThanFirst).map((r) => ({
      rank: r.rank,
      user: users.get(r.member) ?? { id: r.member, handle: null, displayName: null },
      score: r.score,
    }));
    return { total, count: page.length, entriesJson: JSON.stringify(entries) };
  };

  const schema = routeSchema({ summary: 'A page of the global leaderboard, with the caller’s place', tags: ['leaderboards'], auth: true, querystring: BoardQuery, response: BoardPage });
  app.get('/v1/leaderboards/global', { schema, preHandler: authenticate(deps.tokens) }, async (request, reply) => {
    const q = await decodeRequest(BoardQuery, request, reply, 'query');
    if (!q) return reply;
    const { date, limit, offset } = pageOf(q, deps.clock);
    const board = globalBoardKey(deps.redisPrefix, q.period, date);

    const [page, place] = await Promise.all([
      readsOwnWrite(request) ? loadPage(board, offset, limit) : pages.get(`${board}|${offset}|${limit}`, () => loadPage(board, offset, limit)),
      deps.redis.sleepsocialBoardPlace(board, principalOf(request).userId).then((r) => decoded(PlaceReply, r, 'place')),
    ]);
    const [score, above] = place;
    const me = typeof score === 'string' && typeof above === 'number' ? { rank: above + 1, score: Number(score) } : null;
    const nextOffset = offset + page.count;
    const nextCursor = nextOffset < page.total ? OffsetCursor.encode(nextOffset) : null;
    // The shape of BoardPage, assembled around the entries serialised when the page was loaded.
    const body = `{"period":${JSON.stringify(q.period)},"window":${JSON.stringify(windowOf(q.period, date))},"total":${page.total},"entries":${page.entriesJson},"me":${JSON.stringify(me)},"nextCursor":${JSON.stringify(nextCursor)}}`;
    return reply.header('cache-control', 'private, max-age=1').type('application/json; charset=utf-8').send(body);
  });
};
