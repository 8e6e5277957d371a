import { readFileSync } from 'node:fs';
import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Redis, Result } from 'ioredis';
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { authenticate, principalOf } from '../../shared/auth/authenticate.js';
import { decodeRequest } from '../../shared/http/decode.js';
import { routeSchema } from '../../shared/http/openapi.js';
import { OffsetCursor } from '../../shared/http/query-codecs.js';
import { globalBoardKey, windowOf, type Period } from '../../shared/leaderboards/windows.js';
import type { QueryDeps } from '../deps.js';
import { readsOwnWrite } from '../read-your-writes.js';
import { BoardPage, BoardQuery, pageOf } from './page.js';
import { pageCache, type PageCache } from './page-cache.js';
import { boardWatch, type Watch } from './board-watch.js';
import { rankPage, type Ranked } from './ranking.js';
import { pairs } from '../with-scores.js';
import { standingsOf, type Place, type Standings } from './standings.js';

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

/**
 * A page as every caller sees it, encoded once: the whole answer up to the caller's own place,
 * which alone differs between callers (see `sendBoard`).
 */
type SharedPage = Buffer;
/**
 * One read of a board, shared by every caller for `leaderboardPageCacheMs`. A board of at most
 * `leaderboardWholeMaxMembers` is read whole, so its pages and every caller's place come from
 * that one read, which is kept past its time while `watch` says Redis reported no change to the
 * board; a bigger one is read a page at a time, with each caller's place read per request.
 */
type BoardRead = { readonly standings: Standings | undefined; readonly pages: PageCache<SharedPage>; readonly watch: Watch };
/** Where a page sits: what its head says besides its entries. */
type PageAt = { readonly period: Period; readonly window: string; readonly offset: number };

const decoded = <A>(codec: t.Decoder<unknown, A>, reply: unknown, what: string): A => {
  const result = codec.decode(reply);
  if (E.isLeft(result)) throw new Error(`unexpected reply from the board ${what} script`);
  return result.right;
};

/** Boards whose reads are kept at once (each at most `leaderboardWholeMaxMembers` members). */
const BOARDS_KEPT = 16;
const PAGES_KEPT_PER_BOARD = 64;

/** JSON.stringify's answer, without its generic walk (1.1% of the route's CPU): two finite numbers. */
const placeJson = (me: Place): string =>
  me === null || !Number.isFinite(me.score) ? JSON.stringify(me) : `{"rank":${me.rank},"score":${me.score}}`;

/**
 * The answer of a board route (a `BoardPage`, the caller's own place last), written as the page's
 * shared bytes followed by that place. Written straight to the socket: Fastify sends one
 * payload, and joining the two would allocate and copy the page again for every request. So this
 * reply skips the onSend hooks: headers set before it are kept, a Cache-Control already set
 * (read-your-writes' `no-store` for a read that could not wait long enough) is not overridden,
 * and a HEAD request gets the headers alone, as Fastify's own hook would leave it.
 */
const sendBoard = (reply: FastifyReply, page: SharedPage, me: Place): void => {
  const tail = `"me":${placeJson(me)}}`;
  const headers = reply.getHeaders() as OutgoingHttpHeaders;
  headers['cache-control'] ??= 'private, max-age=1';
  headers['content-type'] = 'application/json; charset=utf-8';
  headers['content-length'] = page.length + Buffer.byteLength(tail);
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, headers);
  // Fastify strips a HEAD answer's body in an onSend hook, skipped here.
  if (reply.request.method === 'HEAD') return void res.end();
  // One write to the socket for headers, page and place: `end` uncorks.
  res.cork();
  res.write(page);
  res.end(tail);
};

/**
 * GET /v1/leaderboards/global: a page of the board with ranks, plus the caller's own place. Both
 * may be `leaderboardPageCacheMs` old; a read-your-writes read (`minPosition`) reads both afresh.
 */
export const globalLeaderboardRoute = (deps: QueryDeps) => (app: FastifyInstance): void => {
  deps.redis.defineCommand('sleepsocialBoardPage', { numberOfKeys: 1, lua: script('page') });
  deps.redis.defineCommand('sleepsocialBoardPlace', { numberOfKeys: 1, lua: script('place') });
  const reads = pageCache<BoardRead>({ ttlMs: deps.leaderboardPageCacheMs, max: BOARDS_KEPT, renew: (read) => read.watch.current() }, deps.clock);
  const boards = boardWatch(deps.redis, deps.tracking, 2 * BOARDS_KEPT);

  const shared = async (at: PageAt, total: number, ranked: Ranked[]): Promise<SharedPage> => {
    const users = await deps.users.summaries(ranked.map((r) => r.member));
    const entries: BoardPage['entries'] = ranked.map((r) => ({
      rank: r.rank,
      user: users.get(r.member) ?? { id: r.member, handle: null, displayName: null },
      score: r.score,
    }));
    const nextOffset = at.offset + ranked.length;
    const nextCursor = nextOffset < total ? OffsetCursor.encode(nextOffset) : null;
    const head = `{"period":${JSON.stringify(at.period)},"window":${JSON.stringify(at.window)},"total":${total},"entries":${JSON.stringify(entries)},"nextCursor":${JSON.stringify(nextCursor)},`;
    return Buffer.from(head);
  };
  const readPage = async (board: string, at: PageAt, limit: number): Promise<SharedPage> => {
    const [total, higherThanFirst, flat] = decoded(PageReply, await deps.redis.sleepsocialBoardPage(board, String(at.offset), String(limit)), 'page');
    return shared(at, total, rankPage(pairs(flat), at.offset, higherThanFirst));
  };
  const readPlace = async (board: string, member: string): Promise<Place> => {
    const [score, above] = decoded(PlaceReply, await deps.redis.sleepsocialBoardPlace(board, member), 'place');
    return typeof score === 'string' && typeof above === 'number' ? { rank: above + 1, score: Number(score) } : null;
  };
  const readBoard = async (board: string): Promise<BoardRead> => {
    // Two commands rather than one script: a script's ZRANGE of 10k members cost Redis twice what
    // the command does (every member copied into a Lua table), and Redis is shared by every process.
    const max = deps.leaderboardWholeMaxMembers;
    const whole = async (redis: Redis) => ((await redis.zcard(board)) <= max ? await redis.zrange(board, 0, max, 'REV', 'WITHSCORES') : undefined);
    // One that grew past the limit in between is read a page at a time, as any bigger one (and
    // is not held past its time: its pages are not read on the tracked connection).
    const fits = (members: string[] | undefined): members is string[] => members !== undefined && members.length <= 2 * max;
    const { value, watch } = await boards.read(board, whole, fits);
    const standings = fits(value) ? standingsOf(value) : undefined;
    // Its pages carry names, which are not tracked: they are built again each period, from the read.
    return { standings, watch, pages: pageCache<SharedPage>({ ttlMs: deps.leaderboardPageCacheMs, max: PAGES_KEPT_PER_BOARD }, deps.clock) };
  };
  const loadPage = ({ standings }: BoardRead, board: string, at: PageAt, limit: number) =>
    standings ? shared(at, standings.total, standings.page(at.offset, limit)) : readPage(board, at, limit);
  const pageKey = (at: PageAt, limit: number) => `${at.offset}|${limit}`;

  /**
   * The page and the caller's place from what the board's shared read already holds, without
   * waiting; undefined when a read is under way or the caller's place needs a Redis read.
   */
  const held = (board: string, at: PageAt, limit: number, member: string): [SharedPage, Place] | undefined => {
    const read = reads.loaded(board, () => readBoard(board));
    if (!read?.standings) return undefined;
    // The loader is an argument, not a named const: tsx keeps names, and naming a closure made on
    // every request (Object.defineProperty) cost each ~0.8 µs.
    const page = read.pages.loaded(pageKey(at, limit), () => loadPage(read, board, at, limit));
    return page && [page, read.standings.place(member)];
  };
  /** The page and the caller's place, from the board's shared read (or afresh, when asked to be). */
  const answer = async (board: string, at: PageAt, limit: number, member: string, fresh: boolean): Promise<[SharedPage, Place]> => {
    if (fresh || deps.leaderboardPageCacheMs === 0) return Promise.all([readPage(board, at, limit), readPlace(board, member)]);
    const read = await reads.get(board, () => readBoard(board));
    const page = read.pages.get(pageKey(at, limit), () => loadPage(read, board, at, limit));
    return read.standings ? [await page, read.standings.place(member)] : Promise.all([page, readPlace(board, member)]);
  };

  const schema = routeSchema({ summary: 'A page of the global leaderboard, with the caller’s place', tags: ['leaderboards'], auth: true, querystring: BoardQuery, response: BoardPage });
  // Not async: a page already held is answered in the same turn, without a promise.
  app.get('/v1/leaderboards/global', { schema, preHandler: authenticate(deps.tokens) }, (request, reply) => {
    const q = decodeRequest(BoardQuery, request, reply, 'query');
    if (!q) return;
    const { date, limit, offset } = pageOf(q, deps.clock);
    const board = globalBoardKey(deps.redisPrefix, q.period, date);
    const at: PageAt = { period: q.period, window: windowOf(q.period, date), offset };
    const member = principalOf(request).userId;
    const fresh = readsOwnWrite(request);
    const now = fresh ? undefined : held(board, at, limit, member);
    if (now) return sendBoard(reply, ...now);
    return answer(board, at, limit, member, fresh).then(([page, me]) => sendBoard(reply, page, me));
  });
};
