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

/** The page script's reply: a line per entry, '<logId> <score> <item JSON>' (or '<logId> <score>'). */
const entriesOf = (reply: unknown, mode: Mode): Entry[] => {
  if (typeof reply !== 'string') throw new Error('unexpected reply from the feed page script');
  if (reply === '') return [];
  return reply.split('\n').map((line) => {
    const afterId = line.indexOf(' ');
    const afterScore = mode === 'items' ? line.indexOf(' ', afterId + 1) : line.length;
    if (afterId < 0 || afterScore < 0) throw new Error('unexpected reply from the feed page script');
    return { logId: line.slice(0, afterId), score: Number(line.slice(afterId + 1, afterScore)), json: line.slice(afterScore + 1) };
  });
};

/** An item as a page shows it, or null for one not in the stored layout (left out, but counted as shown). */
type Shown = StoredItemParts | null;
const checkedItem = (log: FastifyBaseLogger, entry: Entry, json: string): Shown => {
  const parts = storedItemParts(json);
  if (parts) return parts;
  log.warn({ logId: entry.logId }, 'feed item is not in the stored layout; left out');
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
  const cached = itemCache({ ttlMs: deps.feed.itemCacheMs, max: 20_000 });
  /** The entries' items, from this process or else read together from Redis; undefined if one is gone. */
  const cachedItems = async (entries: readonly Entry[], now: number, log: FastifyBaseLogger): Promise<Shown[] | undefined> => {
    const shown: (Shown | undefined)[] = entries.map((e) => cached.get(e.logId, now));
    const missing = entries.filter((_, i) => shown[i] === undefined);
    if (missing.length === 0) return shown as Shown[];
    const jsons = await deps.redis.mget(missing.map((e) => keys.item(e.logId)));
    if (jsons.some((json) => json === null)) return undefined;
    let m = 0;
    return entries.map((entry, i) => {
      const hit = shown[i];
      if (hit !== undefined) return hit;
      const item = checkedItem(log, entry, jsons[m++] ?? '');
      if (item) cached.set(entry.logId, item, now);
      return item;
    });
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
    let entries = deps.feed.itemCacheMs > 0 && !readsOwnWrite(request) ? await read('ids') : undefined;
    let shown = entries && (await cachedItems(entries.slice(0, limit), now, request.log));
    if (!entries || !shown) {
      entries = await read('items');
      shown = entries.slice(0, limit).map((entry) => checkedItem(request.log, entry, entry.json));
      for (const item of shown) if (item && deps.feed.itemCacheMs > 0) cached.set(item.logId, item, now);
    }
    const page = entries.slice(0, limit);
    const items = shown.filter((item): item is StoredItemParts => item !== null);
    const users = await deps.users.summaries([...new Set(items.map((i) => i.authorId))]);
    const last = page.at(-1);
    const nextCursor = entries.length > limit && last ? FeedCursor.encode({ score: last.score, logId: last.logId }) : null;

    // The shape of FeedPage, spliced from the stored items and the authors' JSON.
    const itemsJson = items.map((i) => `{"logId":"${i.logId}","author":${authorJson(i.authorId, users.get(i.authorId))},${i.rest}`).join(',');
    const body = `{"items":[${itemsJson}],"nextCursor":${nextCursor === null ? 'null' : `"${nextCursor}"`}}`;
    return reply.header('cache-control', 'private, no-cache').type('application/json; charset=utf-8').send(body);
  });
};
