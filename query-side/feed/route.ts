import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Result } from 'ioredis';
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { authenticate, principalOf } from '../../shared/auth/authenticate.js';
import { decodeFeedItem, type FeedItem } from '../../shared/feeds/item.js';
import { feedKeys, retentionCutoff } from '../../shared/feeds/keys.js';
import { decodeRequest } from '../../shared/http/decode.js';
import { routeSchema } from '../../shared/http/openapi.js';
import { clampedLimit } from '../../shared/http/query-codecs.js';
import type { QueryDeps } from '../deps.js';
import { nullable, UserRef } from '../users.js';
import { FeedCursor } from './cursor.js';

const pageScript = readFileSync(new URL('./page.lua', import.meta.url), 'utf8');

declare module 'ioredis' {
  interface RedisCommander<Context> {
    sleepsocialFeedPage(home: string, ...args: string[]): Result<unknown, Context>;
  }
}

const FeedQuery = t.partial({ limit: clampedLimit(100), cursor: FeedCursor });
const PageReply = t.array(t.string);

/** The answer: documented in OpenAPI and, as the response schema, serialised by a compiled serializer. */
const FeedPage = t.type(
  {
    items: t.array(
      t.type({ logId: t.string, author: UserRef, startedAt: t.string, endedAt: t.string, durationMinutes: t.number, quality: nullable(t.number) }, 'FeedEntry'),
    ),
    nextCursor: nullable(t.string),
  },
  'FeedPage',
);

type Entry = { readonly logId: string; readonly score: number; readonly json: string };

const entriesOf = (flat: readonly string[]): Entry[] =>
  flat.flatMap((logId, i) => (i % 3 === 0 ? [{ logId, score: Number(flat[i + 1]), json: flat[i + 2] ?? '' }] : []));

/**
 * GET /v1/feed: the caller's home feed, newest first, with each author's handle and name from the
 * users table. The feed is always the caller's own: there is no parameter naming whose.
 */
export const feedRoute = (deps: QueryDeps) => (app: FastifyInstance): void => {
  deps.redis.defineCommand('sleepsocialFeedPage', { numberOfKeys: 1, lua: pageScript });
  const keys = feedKeys(deps.redisPrefix);
  const schema = routeSchema({ summary: 'The caller’s home feed: sleep logs of the people they follow, newest first', tags: ['feed'], auth: true, querystring: FeedQuery, response: FeedPage });

  app.get('/v1/feed', { schema, preHandler: authenticate(deps.tokens) }, async (request, reply) => {
    const q = await decodeRequest(FeedQuery, request, reply, 'query');
    if (!q) return reply;
    const me = principalOf(request).userId;
    const limit = q.limit ?? 20;
    const cutoff = retentionCutoff(deps.clock(), deps.feed.retentionDays);
    const raw = await deps.redis.sleepsocialFeedPage(keys.home(me), keys.base, String(cutoff), String(limit + 1), q.cursor ? String(q.cursor.score) : '+inf', q.cursor?.logId ?? '');
    const decoded = PageReply.decode(raw);
    if (E.isLeft(decoded)) throw new Error('unexpected reply from the feed page script');

    // One more than asked for tells whether there is a next page.
    const entries = entriesOf(decoded.right);
    const page = entries.slice(0, limit);
    const items = page.flatMap((entry): FeedItem[] => {
      const item = decodeFeedItem(entry.json);
      if (E.isRight(item)) return [item.right];
      request.log.warn({ logId: entry.logId, error: item.left }, 'feed item does not decode; left out');
      return [];
    });
    const users = await deps.users.summaries([...new Set(items.map((i) => i.authorId))]);
    const last = page.at(-1);

    const body: t.TypeOf<typeof FeedPage> = {
      items: items.map((i) => ({
        logId: i.logId,
        author: users.get(i.authorId) ?? { id: i.authorId, handle: null, displayName: null },
        startedAt: i.startedAt,
        endedAt: i.endedAt,
        durationMinutes: i.durationMinutes,
        quality: i.quality,
      })),
      nextCursor: entries.length > limit && last ? FeedCursor.encode({ score: last.score, logId: last.logId }) : null,
    };
    return reply.header('cache-control', 'private, no-cache').send(body);
  });
};
