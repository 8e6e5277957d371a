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
import { pageCache, type PageCache } from './page-cache.js';
import { rankPage, type Ranked } from './ranking.js';
import { pairs } from '../with-scores.js';
import { standingsOf, type Standings } from './standings.js';

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

type Place = { readonly rank: number; readonly score: number } | null;
/** A page as every caller sees it, with its entries serialised once. */
type SharedPage = { readonly total: number; readonly count: number; readonly entriesJson: string };
/**
 * One read of a board, shared by every caller for `leaderboardPageCacheMs`. A board of at most
 * `leaderboardWholeMaxMembers` is read whole, so its pages and every caller's place come from
 * that one read; a bigger one is read a page at a time, with each caller's place read per request.
 */
type BoardRead = { readonly standings: Standings | undefined; readonly pages: PageCache<SharedPage> };

const decoded = <A>(codec: t.Decoder<unknown, A>, reply: unknown, what: string): A => {
  const result = codec.decode(reply);
  if (E.isLeft(result)) throw new Error(`unexpected reply from the board ${what} script`);
  return result.right;
};

/** Boards whose reads are kept at once (each at most `leaderboardWholeMaxMembers` members). */
const BOARDS_KEPT = 16;
const PAGES_KEPT_PER_BOARD = 64;

/**
 * GET /v1/leaderboards/global: a page of the board with ranks, plus the caller's own place. Both
 * may be `leaderboardPageCacheMs` old; a read-your-writes read (`minPosition`) reads both afresh.
 */
export const globalLeaderboardRoute = (deps: QueryDeps) => (app: FastifyInstance): void => {
  deps.redis.defineCommand('sleepsocialBoardPage', { numberOfKeys: 1, lua: script('page') });
  deps.redis.defineCommand('sleepsocialBoardPlace', { numberOfKeys: 1, lua: script('place') });
  const reads = pageCache<BoardRead>({ ttlMs: deps.leaderboardPageCacheMs, max: BOARDS_KEPT }, deps.clock);

  const shared = async (total: number, ranked: Ranked[]): Promise<SharedPage> => {
    const users = await deps.users.summaries(ranked.map((r) => r.member));
    const entries: BoardPage['entries'] = ranked.map((r) => ({
      rank: r.rank,
      user: users.get(r.member) ?? { id: r.member, handle: null, displayName: null },
      score: r.score,
    }));
    return { total, count: ranked.length, entriesJson: JSON.stringify(entries) };
  };
  const readPage = async (board: string, offset: number, limit: number): Promise<SharedPage> => {
    const [total, higherThanFirst, flat] = decoded(PageReply, await deps.redis.sleepsocialBoardPage(board, String(offset), String(limit)), 'page');
    return shared(total, rankPage(pairs(flat), offset, higherThanFirst));
  };
  const readPlace = async (board: string, member: string): Promise<Place> => {
    const [score, above] = decoded(PlaceReply, await deps.redis.sleepsocialBoardPlace(board, member), 'place');
    return typeof score === 'string' && typeof above === 'number' ? { rank: above + 1, score: Number(score) } : null;
  };
  const readBoard = async (board: string): Promise<BoardRead> => {
    // Two commands rather than one script: a script's ZRANGE of 10k members cost Redis twice what
    // the command does (every member copied into a Lua table), and Redis is shared by every process.
    const max = deps.leaderboardWholeMaxMembers;
    const whole = (await deps.redis.zcard(board)) <= max ? await deps.redis.zrange(board, 0, max, 'REV', 'WITHSCORES') : undefined;
    // One that grew past the limit in between is read a page at a time, as any bigger one.
    const standings = whole && whole.length <= 2 * max ? standingsOf(whole) : undefined;
    // Its pages live as long as the read: the read's own time bounds theirs.
    return { standings, pages: pageCache<SharedPage>({ ttlMs: Number.POSITIVE_INFINITY, max: PAGES_KEPT_PER_BOARD }, deps.clock) };
  };

  /** The page and the caller's place, from the board's shared read (or afresh, when asked to be). */
  const answer = async (board: string, offset: number, limit: number, member: string, fresh: boolean): Promise<[SharedPage, Place]> => {
    if (fresh || deps.leaderboardPageCacheMs === 0) return Promise.all([readPage(board, offset, limit), readPlace(board, member)]);
    const { standings, pages } = await reads.get(board, () => readBoard(board));
    const page = pages.get(`${offset}|${limit}`, () => (standings ? shared(standings.total, standings.page(offset, limit)) : readPage(board, offset, limit)));
    return standings ? [await page, standings.place(member)] : Promise.all([page, readPlace(board, member)]);
  };

  const schema = routeSchema({ summary: 'A page of the global leaderboard, with the caller’s place', tags: ['leaderboards'], auth: true, querystring: BoardQuery, response: BoardPage });
  app.get('/v1/leaderboards/global', { schema, preHandler: authenticate(deps.tokens) }, async (request, reply) => {
    const q = decodeRequest(BoardQuery, request, reply, 'query');
    if (!q) return reply;
    const { date, limit, offset } = pageOf(q, deps.clock);
    const board = globalBoardKey(deps.redisPrefix, q.period, date);
    const [page, me] = await answer(board, offset, limit, principalOf(request).userId, readsOwnWrite(request));
    const nextOffset = offset + page.count;
    const nextCursor = nextOffset < page.total ? OffsetCursor.encode(nextOffset) : null;
    // The shape of BoardPage, assembled around the entries serialised when the page was read.
    const body = `{"period":${JSON.stringify(q.period)},"window":${JSON.stringify(windowOf(q.period, date))},"total":${page.total},"entries":${page.entriesJson},"me":${JSON.stringify(me)},"nextCursor":${JSON.stringify(nextCursor)}}`;
    return reply.header('cache-control', 'private, max-age=1').type('application/json; charset=utf-8').send(body);
  });
};
