import { readFileSync } from 'node:fs';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from 'fastify';
import type { Result } from 'ioredis';
import * as t from 'io-ts';
import { authenticate, principalOf } from '../../shared/auth/authenticate.js';
import { storedItemParts, type StoredItemParts } from '../../shared/feeds/item.js';
import { DAY_MS, feedKeys, retentionCutoff } from '../../shared/feeds/keys.js';
import { decodeRequest } from '../../shared/http/decode.js';
import { routeSchema } from '../../shared/http/openapi.js';
import { clampedLimit } from '../../shared/http/query-codecs.js';
import type { QueryDeps } from '../deps.js';
import { readsOwnWrite } from '../read-your-writes.js';
import { nullable, UserRef, type UserSummary } from '../users.js';
import { FeedCursor, type FeedPosition } from './cursor.js';
import { heldPages } from './held-pages.js';
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

/** Held feed bodies, in bytes: some 3,000 pages of 20 items. */
const HELD_PAGE_BYTES = 16 * 1024 * 1024;

/** A page as read: every entry read (one more than shown, when there is more) and the items shown. */
type Read = {
  readonly entries: readonly Entry[];
  readonly items: readonly Rendered[];
  /** Items this read took from Redis (log id, rendered), to be kept once the read is known unchanged. */
  readonly fromRedis: readonly (readonly [string, string])[];
};

/**
 * GET /v1/feed: the caller's home feed, newest first, with each author's handle and name from the
 * users table. The feed is always the caller's own: there is no parameter naming whose.
 */
export const feedRoute = (deps: QueryDeps) => (app: FastifyInstance): void => {
  const keys = feedKeys(deps.redisPrefix);
  const reuse = deps.tracking && deps.feed.reuse && { ...deps.feed.reuse, tracking: deps.tracking };
  // What is held must have been read on the tracked connection, so every feed read is made on it.
  const redis = reuse?.tracking.redis ?? deps.redis;
  redis.defineCommand('sleepsocialFeedPage', { numberOfKeys: 1, lua: pageScript });
  const cached = itemCache<string>({ ttlMs: reuse?.itemCacheMs ?? 0, max: 20_000 });
  const held = heldPages({ maxBytes: HELD_PAGE_BYTES });
  /** Pages being read now, each answering with its body if it is held when the read ends. */
  const reading = new Map<string, Promise<Buffer | undefined>>();
  const itemKeyPrefix = keys.item('');
  reuse?.tracking.onInvalidate((key) => {
    held.invalidate(key);
    if (key === null) cached.clear();
    else if (key.startsWith(itemKeyPrefix)) cached.drop(key.slice(itemKeyPrefix.length));
  });

  /** Names the authors of checked items and renders them. */
  const rendered = async (items: readonly (StoredItemParts | null)[]): Promise<Rendered[]> => {
    const users = await deps.users.summaries([...new Set(items.flatMap((i) => (i ? [i.authorId] : [])))]);
    return items.map((item) => (item ? `{"logId":"${item.logId}","author":${authorJson(item.authorId, users.get(item.authorId))},${item.rest}` : null));
  };
  const fromRedis = (entries: readonly Entry[], items: readonly Rendered[]) => entries.flatMap((e, i) => (items[i] ? [[e.logId, items[i]] as const] : []));

  // One more than asked for tells whether there is a next page.
  const script = async (home: string, limit: number, cursor: FeedPosition | undefined, cutoff: number, mode: Mode) =>
    entriesOf(await redis.sleepsocialFeedPage(home, keys.base, String(cutoff), String(limit + 1), cursor ? String(cursor.score) : '+inf', cursor?.logId ?? '', mode), mode);
  /** Every item read from Redis, in the page script. */
  const readExactly = async (home: string, limit: number, cursor: FeedPosition | undefined, cutoff: number, log: FastifyBaseLogger): Promise<Read> => {
    const entries = await script(home, limit, cursor, cutoff, 'items');
    const shown = entries.slice(0, limit);
    const items = await rendered(shown.map((e) => checkedItem(log, e.logId, e.json)));
    return { entries, items, fromRedis: fromRedis(shown, items) };
  };
  /**
   * The ids from Redis, the items from this process when it holds them and the rest with one
   * MGET; undefined when an item is gone from Redis (expired, or retracted a moment ago): the
   * exact read skips it and reads on.
   */
  const readReusing = async (home: string, limit: number, cursor: FeedPosition | undefined, cutoff: number, now: number, log: FastifyBaseLogger): Promise<Read | undefined> => {
    const entries = await script(home, limit, cursor, cutoff, 'ids');
    const shown = entries.slice(0, limit);
    const kept = shown.map((e) => cached.get(e.logId, now));
    const missing = shown.filter((_, i) => kept[i] === undefined);
    if (missing.length === 0) return { entries, items: kept as string[], fromRedis: [] };
    const jsons = await redis.mget(missing.map((e) => keys.item(e.logId)));
    if (jsons.some((json) => json === null)) return undefined;
    const read = await rendered(missing.map((e, m) => checkedItem(log, e.logId, jsons[m] ?? '')));
    let m = 0;
    return { entries, items: kept.map((json) => (json === undefined ? (read[m++] ?? null) : json)), fromRedis: fromRedis(missing, read) };
  };

  const schema = routeSchema({ summary: 'The caller’s home feed: sleep logs of the people they follow, newest first', tags: ['feed'], auth: true, querystring: FeedQuery, response: FeedPage });
  const send = (reply: FastifyReply, body: string | Buffer) => reply.header('cache-control', 'private, no-cache').type('application/json; charset=utf-8').send(body);

  app.get('/v1/feed', { schema, preHandler: authenticate(deps.tokens) }, async (request, reply) => {
    const q = decodeRequest(FeedQuery, request, reply, 'query');
    if (!q) return reply;
    const me = principalOf(request).userId;
    const limit = q.limit ?? 20;
    const cursor = q.cursor;
    const now = deps.clock();
    const cutoff = retentionCutoff(now, deps.feed.retentionDays);
    const home = keys.home(me);
    if (!reuse || readsOwnWrite(request)) return send(reply, bodyOf(await readExactly(home, limit, cursor, cutoff, request.log), limit));

    // A held page is answered only once every change Redis finished `syncMs` before this request
    // (with 0: before it) has been heard of: a retraction or a correction shows as it would in a
    // page read afresh, at most those milliseconds later.
    const page = `${me} ${limit} ${cursor ? `${cursor.score} ${cursor.logId}` : ''}`;
    const synced = reuse.tracking.syncedWithin(reuse.syncMs);
    if (synced === true || (await synced)) {
      // A read of the same page still under way ends after this request was synced: if nothing
      // it read changed meanwhile, it is as fresh as a read of this request's own.
      const body = held.get(page, now);
      if (body !== undefined) return send(reply, body);
      const under = reading.get(page);
      const joined = under && (await under);
      if (joined !== undefined) return send(reply, joined);
    }
    const owner = !reading.has(page);
    let answer: (body: Buffer | undefined) => void = () => undefined;
    if (owner) reading.set(page, new Promise((resolve) => (answer = resolve)));
    const tracked = reuse.tracking.begin();
    let ended = false;
    let kept: Buffer | undefined;
    try {
      const read = (await readReusing(home, limit, cursor, cutoff, now, request.log)) ?? (await readExactly(home, limit, cursor, cutoff, request.log));
      const body = bodyOf(read, limit);
      const readKeys = [home, ...read.entries.slice(0, limit).map((e) => keys.item(e.logId))];
      ended = true;
      if (tracked && reuse.tracking.end(tracked, readKeys)) {
        for (const [logId, json] of read.fromRedis) cached.set(logId, json, now);
        // Held for the items' time at most (authors' names are not tracked), and not past the
        // moment its oldest entry leaves the retention.
        const oldest = read.entries[read.entries.length - 1];
        const until = Math.min(now + reuse.itemCacheMs, oldest ? oldest.score + deps.feed.retentionDays * DAY_MS + 1 : Number.POSITIVE_INFINITY);
        kept = Buffer.from(body);
        held.hold(page, { body: kept, keys: readKeys, until });
      }
      return send(reply, kept ?? body);
    } finally {
      if (tracked && !ended) reuse.tracking.end(tracked, []);
      answer(kept);
      if (owner) reading.delete(page);
    }
  });
};

/** The shape of FeedPage, spliced from the rendered items. */
const bodyOf = (read: Read, limit: number): string => {
  const last = read.entries.length > limit ? read.entries[limit - 1] : undefined;
  const nextCursor = last ? FeedCursor.encode({ score: last.score, logId: last.logId }) : null;
  return `{"items":[${read.items.filter((json) => json !== null).join(',')}],"nextCursor":${nextCursor === null ? 'null' : `"${nextCursor}"`}}`;
};
