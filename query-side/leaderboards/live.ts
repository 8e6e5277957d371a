import { CalendarDate } from '../../shared/events/index.js';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import * as t from 'io-ts';
import { authenticate } from '../../shared/auth/authenticate.js';
import { decodeRequest } from '../../shared/http/decode.js';
import { routeSchema } from '../../shared/http/openapi.js';
import { clampedLimit } from '../../shared/http/query-codecs.js';
import { globalBoardKey, windowOf } from '../../shared/leaderboards/windows.js';
import type { QueryDeps } from '../deps.js';
import { rankPage, type Ranked } from './ranking.js';
import { pairs } from '../with-scores.js';
import { boardWatchers } from './watchers.js';

const LiveQuery = t.intersection([t.type({ period: t.keyof({ day: null, week: null, month: null }) }), t.partial({ date: CalendarDate, top: clampedLimit(100) })]);

export type LiveOptions = { readonly intervalMs?: number; readonly heartbeatMs?: number };

/**
 * GET /v1/leaderboards/global/live: the top of a global board as Server-Sent Events. Every client
 * of a board shares one poller (see watchers.ts): `event: leaderboard` comes at once on connect,
 * then only when the top changed, at most once per interval; a comment line every 15 s keeps
 * proxies from closing an idle stream. The window is fixed when the stream opens.
 */
export const liveLeaderboardRoute = (deps: QueryDeps, options: LiveOptions = {}) => (app: FastifyInstance): void => {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const watchers = boardWatchers<Ranked, { rank: number; user: { id: string; handle: string | null; displayName: string | null }; score: number }>({
    intervalMs: options.intervalMs ?? 500,
    read: async (key, n) => rankPage(pairs(await deps.redis.zrevrange(key, 0, n - 1, 'WITHSCORES')), 0, 0),
    render: async (entries) => {
      const users = await deps.users.summaries(entries.map((e) => e.member));
      return entries.map((e) => ({ rank: e.rank, user: users.get(e.member) ?? { id: e.member, handle: null, displayName: null }, score: e.score }));
    },
    onError: (error, board) => app.log.warn({ err: error, board }, 'live leaderboard read failed'),
  });
  const streams = new Set<ServerResponse>();
  // Open streams would keep the server from closing: end them (and wait until they are flushed)
  // before it closes, which then drops their idle connections; then stop the pollers.
  app.addHook('preClose', async () => {
    await Promise.all([...streams].map((stream) => new Promise<void>((resolve) => stream.end(() => resolve()))));
  });
  app.addHook('onClose', (_instance, done) => {
    watchers.close();
    done();
  });

  const schema = routeSchema({ summary: 'The top of a global leaderboard, live (text/event-stream)', tags: ['leaderboards'], auth: true, querystring: LiveQuery });
  app.get('/v1/leaderboards/global/live', { schema, preHandler: authenticate(deps.tokens) }, async (request, reply) => {
    const q = decodeRequest(LiveQuery, request, reply, 'query');
    if (!q) return reply;
    const date = q.date ?? new Date(deps.clock()).toISOString().slice(0, 10);
    const window = windowOf(q.period, date);

    reply.hijack();
    const stream = reply.raw;
    stream.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no', // nginx: do not buffer the stream
    });
    const write = (chunk: string) => {
      if (!stream.writableEnded && !stream.destroyed) stream.write(chunk);
    };
    const unsubscribe = watchers.subscribe(globalBoardKey(deps.redisPrefix, q.period, date), q.top ?? 10, (entries) =>
      write(`event: leaderboard\ndata: ${JSON.stringify({ period: q.period, window, entries })}\n\n`),
    );
    const heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
    streams.add(stream);
    stream.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(stream);
    });
    return reply;
  });
};
