import { readFileSync } from 'node:fs';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Result } from 'ioredis';
import * as t from 'io-ts';
import { authenticate, principalOf } from '../../shared/auth/authenticate.js';
import { storedItemParts, type StoredItemParts } from '../../shared/feeds/item.js';
import { feedKeys, retentionCutoff } from '../../shared/feeds/keys.js';
import { decodeRequest } from '../../shared/http/decode.js';
import { routeSchema } from '../../shared/http/openapi.js';
import { clampedLimit } from '../../shared/http/query-codecs.js';
import type { QueryDeps } from '../deps.js';
import { readsOwnWrite } from '../read-your-writes.js';
import { nullable, UserRef, type UserSummary } from '../users.js';
import { FeedCursor } from './cursor.js';
import { itemCache } from './item-cache.js';
import { pairs } from '../with-scores.js';

const pageScript = readFileSync(new URL('./page.lua', import.meta.url), 'utf8');

declare module 'ioredis' {
  interface RedisCommander<Context> {
    sleepsocialFeedPage(home: string, ...args: string[]): Result<unknown, Context>;
  }
}

const FeedQuery = t.partial({ limit: clampedLimit(100), cursor: FeedCursor });

/** The answer, as documented in OpenAPI; the route splices it from stored JSON rather than serialising objects. */
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
/** What the page script answers: each entry with its item, or its id and score only. */
type Mode = 'items' | 'ids';

/** The page script's reply: a line per entry, '<logId> <score> <item JSON>', or with 'ids' '<logId> <score> …'. */
const entriesOf = (reply: unknown, mode: Mode): Entry[] => {
  if (typeof reply !== 'string') throw new Error('unexpected reply from the feed page script');
  if (reply === '') return [];
  if (mode === 'ids') return pairs(reply.split(' ')).map(([logId, score]) => ({ logId, score, json: '' }));
  return reply.split('\n').map((line) => {
    const afterId = line.indexOf(' ');
    const afterScore = line.indexOf(' ', afterId + 1);
    if (afterId < 0 || afterScore < 0) throw new Error('unexpected reply from the feed page script');
    return { logId: line.slice(0, afterId), score: Number(line.slice(afterId + 1, afterScore)), json: line.slice(afterScore + 1) };
  });
};

/** An item as a page splices it (its JSON with the author named), or null for one left out. */
type Rendered = string | null;

/** A stored item checked against its one layout, or null (logged) for one that is not in it. */
const checkedItem = (log: FastifyBaseLogger, logId: string, json: string): StoredItemParts | null => {
  const parts = storedItemParts(json);
  if (parts) return parts;
  log.warn({ logId }, 'feed item is not in the stored layout; left out');
  return null;
};

/** An author as FeedEntry names one, serialised once per summary the directory hands out. */
const authorJsons = new WeakMap<UserSummary, string>();
const authorJson = (id: string, summary: UserSummary | undefined): string => {
  if (!summary) return JSON.stringify({ id, handle: null, displayName: null });
  let json = authorJsons.get(summary);
  if (json === undefined) {
    json = JSON.stringify({ id: summary.id, handle: summary.handle, displayName: summary.displayName });
    authorJsons.set(summary, json);
  }
  return json;
};

/**
 * GET /v1/feed: the caller's home feed, newest first, with each author's handle and name from the
 * users table. The feed is always the caller's own: there is no parameter naming whose.
 */
export const feedRoute = (deps: QueryDeps) => (app: FastifyInstance): void => {
  deps.redis.defineCommand('sleepsocialFeedPage', { numberOfKeys: 1, lua: pageScript });
  const keys = feedKeys(deps.redisPrefix);
  const reuse = deps.feed.itemCacheMs > 0;
  const cached = itemCache<string>({ ttlMs: deps.feed.itemCacheMs, max: 20_000 });

  /** Names the authors of checked items and renders them, keeping what it rendered for reuse. */
  const rendered = async (items: readonly (StoredItemParts | null)[], now: number): Promise<Rendered[]> => {
    const users = await deps.users.summaries([...new Set(items.flatMap((i) => (i ? [i.authorId] : [])))]);
    return items.map((item) => {
      if (!item) return null;
      const json = `{"logId":"${item.logId}","author":${authorJson(item.authorId, users.get(item.authorId))},${item.rest}`;
      if (reuse) cached.set(item.logId, json, now);
      return json;
    });
  };
  /** The entries' items from this process, the rest read with one MGET; undefined if one is gone from Redis. */
  const reusedItems = async (entries: readonly Entry[], now: number, log: FastifyBaseLogger): Promise<Rendered[] | undefined> => {
    const held = entries.map((e) => cached.get(e.logId, now));
    const missing = entries.filter((_, i) => held[i] === undefined);
    if (missing.length === 0) return held as string[];
    const jsons = await deps.redis.mget(missing.map((e) => keys.item(e.logId)));
    if (jsons.some((json) => json === null)) return undefined;
    const read = await rendered(missing.map((e, m) => checkedItem(log, e.logId, jsons[m] ?? '')), now);
    let m = 0;
    return held.map((json) => (json === undefined ? (read[m++] ?? null) : json));
  };

  const schema = routeSchema({ summary: 'The caller’s home feed: sleep logs of the people they follow, newest first', tags: ['feed'], auth: true, querystring: FeedQuery, response: FeedPage });

  app.get('/v1/feed', { schema, preHandler: authenticate(deps.tokens) }, async (request, reply) => {
    const q = decodeRequest(FeedQuery, request, reply, 'query');
    if (!q) return reply;
    const me = principalOf(request).userId;
    const limit = q.limit ?? 20;
    const now = deps.clock();
    const cutoff = retentionCutoff(now, deps.feed.retentionDays);
    // One more than asked for tells whether there is a next page.
    const read = async (mode: Mode) =>
      entriesOf(await deps.redis.sleepsocialFeedPage(keys.home(me), keys.base, String(cutoff), String(limit + 1), q.cursor ? String(q.cursor.score) : '+inf', q.cursor?.logId ?? '', mode), mode);

    // The ids are always read fresh; the items from this process when it has them. An item gone
    // from Redis (expired, or retracted a moment ago) sends the page back to the exact read, which
    // skips it and reads on.
    let entries = reuse && !readsOwnWrite(request) ? await read('ids') : undefined;
    let items = entries && (await reusedItems(entries.slice(0, limit), now, request.log));
    if (!entries || !items) {
      entries = await read('items');
      items = await rendered(entries.slice(0, limit).map((e) => checkedItem(request.log, e.logId, e.json)), now);
    }
    const last = entries.length > limit ? entries[limit - 1] : undefined;
    const nextCursor = last ? FeedCursor.encode({ score: last.score, logId: last.logId }) : null;

    // The shape of FeedPage, spliced from the rendered items.
    const body = `{"items":[${items.filter((json) => json !== null).join(',')}],"nextCursor":${nextCursor === null ? 'null' : `"${nextCursor}"`}}`;
    return reply.header('cache-control', 'private, no-cache').type('application/json; charset=utf-8').send(body);
  });
};
