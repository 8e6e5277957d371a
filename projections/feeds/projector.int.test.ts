import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedItemParts } from '../../shared/feeds/item.js';
import { feedKeys, retentionCutoff } from '../../shared/feeds/keys.js';
import { testConfig } from '../../shared/testing/environment.js';
import type { UserId } from '../../shared/events/index.js';
import { RevisionGap, type ProjectionItem, type Projector } from '../runtime/projector.js';
import { feedProjector, type FeedProjectorHooks, type FeedSettings } from './projector.js';
import { deleteKeys, dumpKeys, eventLog, HOUR, newLogId, newUserId, NOW } from './testing.js';

// Against the real Redis, one key prefix per test; items are handed to `apply` as the runtime would.
const config = testConfig('feeds');
let redis: Redis;
let tests = 0;

beforeAll(() => {
  redis = new Redis(config.REDIS_URL);
});
afterAll(async () => {
  await deleteKeys(redis, config.REDIS_KEY_PREFIX);
  redis.disconnect();
});

type Setup = {
  readonly projector: Projector;
  readonly settings: FeedSettings;
  readonly log: ReturnType<typeof eventLog>;
  /** Applies each item in its own call, in order. */
  apply(...items: ProjectionItem[]): Promise<void>;
  /** A second projector on the same keys whose log items pause after their first step to run `during`. */
  pausing(during: () => Promise<void>): Projector;
  /** The owner's feed as a reader sees it (within the retention), newest first. */
  feed(owner: UserId): Promise<string[]>;
  scores(owner: UserId): Promise<[string, number][]>;
  authored(author: UserId): Promise<string[]>;
  dump(): Promise<Record<string, unknown>>;
  /** Registers four users. */
  users(): Promise<readonly [UserId, UserId, UserId, UserId]>;
};

const setup = (overrides: Partial<Omit<FeedSettings, 'prefix'>> = {}): Setup => {
  const settings: FeedSettings = { prefix: `${config.REDIS_KEY_PREFIX}${++tests}:`, length: 500, retentionDays: 7, clock: () => NOW, ...overrides };
  const projector = feedProjector(redis, settings);
  const k = feedKeys(settings.prefix);
  const log = eventLog();
  const cutoff = () => retentionCutoff(settings.clock(), settings.retentionDays);
  const withScores = async (key: string): Promise<[string, number][]> => {
    const flat = await redis.zrange(key, '+inf', cutoff(), 'BYSCORE', 'REV', 'WITHSCORES');
    const pairs: [string, number][] = [];
    for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i] ?? '', Number(flat[i + 1])]);
    return pairs;
  };
  const apply = async (...items: ProjectionItem[]) => {
    for (const item of items) await projector.apply([item]);
  };
  return {
    projector,
    settings,
    log,
    apply,
    pausing: (during) => {
      const hooks: FeedProjectorHooks = { afterSnapshot: during };
      return feedProjector(redis, settings, hooks);
    },
    feed: async (owner) => (await withScores(k.home(owner))).map(([id]) => id),
    scores: (owner) => withScores(k.home(owner)),
    authored: async (author) => (await withScores(k.author(author))).map(([id]) => id),
    dump: () => dumpKeys(redis, settings.prefix),
    users: async () => {
      const ids = [newUserId(), newUserId(), newUserId(), newUserId()] as const;
      await apply(...ids.map((id) => log.registered(id)));
      return ids;
    },
  };
};

const logIds = () => [newLogId(), newLogId(), newLogId(), newLogId(), newLogId(), newLogId()] as const;

describe('fan-out on write', () => {
  it('puts a log into the feed of every follower, and no one else’s', async () => {
    const s = setup();
    const [a, b, c, d] = await s.users();
    const [l1] = logIds();
    await s.apply(s.log.followed(a, b), s.log.followed(c, b), s.log.logged(b, l1, { endedAt: NOW - HOUR, minutes: 450, quality: 5 }));

    expect(await s.feed(a)).toEqual([l1]);
    expect(await s.feed(c)).toEqual([l1]);
    expect(await s.feed(d)).toEqual([]);
    expect(await s.feed(b)).toEqual([]);
    expect(await s.scores(a)).toEqual([[l1, NOW - HOUR]]);
    const stored = await redis.get(feedKeys(s.settings.prefix).item(l1));
    // Stored in the one layout the feed page splices, with these values.
    expect(stored && storedItemParts(stored)).toMatchObject({ logId: l1, authorId: b });
    expect(JSON.parse(stored ?? 'null')).toEqual({
      logId: l1,
      authorId: b,
      startedAt: new Date(NOW - HOUR - 450 * 60_000).toISOString(),
      endedAt: new Date(NOW - HOUR).toISOString(),
      durationMinutes: 450,
      quality: 5,
    });
    // The item expires with the retention, counted from the end of the night.
    const expireAt = await redis.expiretime(feedKeys(s.settings.prefix).item(l1));
    expect(expireAt).toBe(Math.ceil((NOW - HOUR + 7 * 86_400_000) / 1000));
  });

  it('backfills a new follower with the followee’s recent logs, newest first', async () => {
    const s = setup();
    const [a, b, c] = await s.users();
    const [l1, l2, l3] = logIds();
    await s.apply(s.log.logged(b, l1, { endedAt: NOW - 30 * HOUR }), s.log.logged(b, l2, { endedAt: NOW - 6 * HOUR }), s.log.logged(c, l3, { endedAt: NOW - HOUR }));
    await s.apply(s.log.followed(a, b));
    expect(await s.feed(a)).toEqual([l2, l1]);
    await s.apply(s.log.followed(a, c));
    expect(await s.feed(a)).toEqual([l3, l2, l1]);
  });

  it('takes an unfollowed author’s logs out of the feed and keeps the others', async () => {
    const s = setup();
    const [a, b, c] = await s.users();
    const [l1, l2, l3] = logIds();
    await s.apply(s.log.followed(a, b), s.log.followed(a, c));
    await s.apply(s.log.logged(b, l1, { endedAt: NOW - 3 * HOUR }), s.log.logged(c, l2, { endedAt: NOW - 2 * HOUR }), s.log.logged(b, l3, { endedAt: NOW - HOUR }));
    await s.apply(s.log.unfollowed(a, b));
    expect(await s.feed(a)).toEqual([l2]);
    // Later logs of the unfollowed author do not arrive either.
    await s.apply(s.log.logged(b, newLogId(), { endedAt: NOW - HOUR / 2 }));
    expect(await s.feed(a)).toEqual([l2]);
  });

  it('ends right after follow → unfollow → follow, with the newest epoch on both sides', async () => {
    const s = setup();
    const [a, b] = await s.users();
    const [l1, l2] = logIds();
    await s.apply(s.log.logged(b, l1, { endedAt: NOW - 2 * HOUR }), s.log.followed(a, b), s.log.unfollowed(a, b));
    await s.apply(s.log.logged(b, l2, { endedAt: NOW - HOUR }));
    expect(await s.feed(a)).toEqual([]);
    const refollow = s.log.followed(a, b);
    await s.apply(refollow);
    expect(await s.feed(a)).toEqual([l2, l1]);
    const k = feedKeys(s.settings.prefix);
    const epoch = refollow.kind === 'event' ? String(refollow.event.metadata.revision) : '';
    expect(await redis.hgetall(k.following(a))).toEqual({ [b]: epoch });
    expect(await redis.hgetall(k.followers(b))).toEqual({ [a]: epoch });
  });
});

describe('races between an author’s log and a follower’s stream', () => {
  it('a fan-out that was under way when the follower unfollowed adds nothing', async () => {
    const s = setup();
    const [a, b] = await s.users();
    const [l1] = logIds();
    await s.apply(s.log.followed(a, b));
    const unfollow = s.log.unfollowed(a, b);
    // log.lua read A as a follower; then A unfollows; then the fan-out to A runs.
    await s.pausing(() => s.projector.apply([unfollow])).apply([s.log.logged(b, l1, { endedAt: NOW - HOUR })]);
    expect(await s.feed(a)).toEqual([]);
    expect(await s.authored(b)).toEqual([l1]);
  });

  it('a fan-out from before an unfollow and a re-follow leaves the log once, from the backfill', async () => {
    const s = setup();
    const [a, b] = await s.users();
    const [l1] = logIds();
    await s.apply(s.log.followed(a, b));
    const again = [s.log.unfollowed(a, b), s.log.followed(a, b)];
    await s.pausing(() => s.apply(...again)).apply([s.log.logged(b, l1, { endedAt: NOW - HOUR })]);
    expect(await s.feed(a)).toEqual([l1]);
  });

  it('a retraction reaches a follower who unfollowed while it was under way', async () => {
    const s = setup();
    const [a, b] = await s.users();
    const [l1] = logIds();
    await s.apply(s.log.followed(a, b), s.log.logged(b, l1, { endedAt: NOW - HOUR }));
    const unfollow = s.log.unfollowed(a, b);
    // The retraction took l1 out of author:B first, so the unfollow alone would not find it in A's feed.
    await s.pausing(() => s.projector.apply([unfollow])).apply([s.log.retracted(b, l1)]);
    expect(await s.feed(a)).toEqual([]);
  });

  describe('B logs while A follows B: A gets the log from the fan-out or from the backfill', () => {
    it('follow first, then the log', async () => {
      const s = setup();
      const [a, b] = await s.users();
      const [l1] = logIds();
      await s.apply(s.log.followed(a, b), s.log.logged(b, l1, { endedAt: NOW - HOUR }));
      expect(await s.feed(a)).toEqual([l1]);
    });

    it('the log first, then the follow', async () => {
      const s = setup();
      const [a, b] = await s.users();
      const [l1] = logIds();
      await s.apply(s.log.logged(b, l1, { endedAt: NOW - HOUR }), s.log.followed(a, b));
      expect(await s.feed(a)).toEqual([l1]);
    });

    it('the follow between the log’s first step and its fan-out', async () => {
      const s = setup();
      const [a, b] = await s.users();
      const [l1] = logIds();
      const follow = s.log.followed(a, b);
      await s.pausing(() => s.projector.apply([follow])).apply([s.log.logged(b, l1, { endedAt: NOW - HOUR })]);
      expect(await s.feed(a)).toEqual([l1]);
    });

    it('raced on two connections, many times, with different users', async () => {
      const s = setup();
      const other = new Redis(config.REDIS_URL);
      try {
        const second = feedProjector(other, s.settings);
        const jitter = () => new Promise((r) => setTimeout(r, Math.random() * 3));
        const pairs = await Promise.all(
          Array.from({ length: 60 }, async () => {
            const [a, b] = await s.users();
            const l = newLogId();
            const follow = s.log.followed(a, b);
            const logged = s.log.logged(b, l, { endedAt: NOW - HOUR });
            await Promise.all([jitter().then(() => s.projector.apply([follow])), jitter().then(() => second.apply([logged]))]);
            return { a, l };
          }),
        );
        for (const pair of pairs) expect(await s.feed(pair.a)).toEqual([pair.l]);
      } finally {
        other.disconnect();
      }
    });
  });
});

describe('corrections and retractions', () => {
  it('a correction updates the item and its place in every feed; a retraction removes it everywhere', async () => {
    const s = setup();
    const [a, b, c] = await s.users();
    const [l1, l2] = logIds();
    await s.apply(s.log.followed(a, b), s.log.followed(c, b));
    await s.apply(s.log.logged(b, l1, { endedAt: NOW - 5 * HOUR }), s.log.logged(b, l2, { endedAt: NOW - 2 * HOUR }));
    expect(await s.feed(a)).toEqual([l2, l1]);

    await s.apply(s.log.corrected(b, l1, { endedAt: NOW - HOUR, minutes: 300, quality: null }));
    const k = feedKeys(s.settings.prefix);
    for (const owner of [a, c]) expect(await s.scores(owner)).toEqual([[l1, NOW - HOUR], [l2, NOW - 2 * HOUR]]);
    expect(await s.authored(b)).toEqual([l1, l2]);
    const stored = await redis.get(k.item(l1));
    expect(stored && storedItemParts(stored)).toMatchObject({ logId: l1 });
    expect(JSON.parse(stored ?? 'null')).toMatchObject({ durationMinutes: 300, quality: null, endedAt: new Date(NOW - HOUR).toISOString() });

    await s.apply(s.log.retracted(b, l1));
    expect(await s.feed(a)).toEqual([l2]);
    expect(await s.feed(c)).toEqual([l2]);
    expect(await s.authored(b)).toEqual([l2]);
    expect(await redis.exists(k.item(l1))).toBe(0);
  });

  it('a correction that moves a log out of the retention takes it out of feeds', async () => {
    const s = setup();
    const [a, b] = await s.users();
    const [l1] = logIds();
    await s.apply(s.log.followed(a, b), s.log.logged(b, l1, { endedAt: NOW - HOUR }));
    await s.apply(s.log.corrected(b, l1, { endedAt: NOW - 8 * 24 * HOUR }));
    const k = feedKeys(s.settings.prefix);
    expect(await redis.zcard(k.home(a))).toBe(0);
    expect(await redis.zcard(k.author(b))).toBe(0);
    expect(await redis.exists(k.item(l1))).toBe(0);
  });
});

describe('length and retention', () => {
  it('keeps the newest `length` entries, and brings older ones back when newer ones leave', async () => {
    const s = setup({ length: 3 });
    const [a, b, c] = await s.users();
    const ids = logIds();
    await s.apply(s.log.followed(a, b), s.log.followed(a, c));
    // Ends: ids[0] newest … ids[5] oldest; b wrote 0, 2, 4 and c wrote 1, 3, 5.
    for (const i of [5, 4, 3, 2, 1, 0]) await s.apply(s.log.logged(i % 2 === 0 ? b : c, ids[i]!, { endedAt: NOW - (i + 1) * HOUR }));
    expect(await s.feed(a)).toEqual([ids[0], ids[1], ids[2]]);
    expect(await redis.zcard(feedKeys(s.settings.prefix).home(a))).toBe(3);

    await s.apply(s.log.retracted(b, ids[0]));
    expect(await s.feed(a)).toEqual([ids[1], ids[2], ids[3]]);
    await s.apply(s.log.corrected(c, ids[1], { endedAt: NOW - 10 * HOUR }));
    expect(await s.feed(a)).toEqual([ids[2], ids[3], ids[4]]);
    await s.apply(s.log.unfollowed(a, b));
    expect(await s.feed(a)).toEqual([ids[3], ids[5], ids[1]]);
  });

  it('never shows a log older than the retention, and drops entries as they age', async () => {
    let now = NOW;
    const s = setup({ clock: () => now });
    const [a, b] = await s.users();
    const [old, l1, l2] = logIds();
    await s.apply(s.log.followed(a, b));
    await s.apply(s.log.logged(b, old, { endedAt: NOW - 7 * 24 * HOUR - 1 }), s.log.logged(b, l1, { endedAt: NOW - 6 * 24 * HOUR }));
    const k = feedKeys(s.settings.prefix);
    expect(await redis.zrange(k.home(a), 0, -1)).toEqual([l1]);
    expect(await redis.exists(k.item(old))).toBe(0);

    now = NOW + 2 * 24 * HOUR;
    await s.apply(s.log.logged(b, l2, { endedAt: now - HOUR }));
    expect(await redis.zrange(k.home(a), 0, -1)).toEqual([l2]);
    expect(await redis.zrange(k.author(b), 0, -1)).toEqual([l2]);
  });
});

describe('exactly once', () => {
  it('changes nothing when any item is delivered again', async () => {
    const s = setup({ length: 4 });
    const [a, b, c] = await s.users();
    const ids = logIds();
    const items = [
      s.log.followed(a, b),
      s.log.logged(b, ids[0], { endedAt: NOW - 5 * HOUR }),
      s.log.logged(c, ids[1], { endedAt: NOW - 4 * HOUR }),
      s.log.followed(a, c),
      s.log.followed(c, b),
      s.log.logged(b, ids[2], { endedAt: NOW - 3 * HOUR }),
      s.log.corrected(b, ids[0], { endedAt: NOW - HOUR }),
      s.log.skipped(c),
      s.log.profileUpdated(b),
      s.log.logged(c, ids[3], { endedAt: NOW - 2 * HOUR }),
      s.log.unfollowed(a, b),
      s.log.logged(c, ids[4], { endedAt: NOW - 6 * HOUR }),
      s.log.retracted(c, ids[3]),
      s.log.followed(a, b),
    ];
    await s.apply(...items);
    const before = await s.dump();
    expect(await s.feed(a)).toEqual([ids[0], ids[2], ids[1], ids[4]]);

    await s.projector.apply(s.log.all); // the whole history again, as after a reset of offsets
    await s.apply(...[...s.log.all].reverse()); // and each item alone, in any order
    expect(await s.dump()).toEqual(before);
  });

  it('steps over a skipped revision and advances the guard', async () => {
    const s = setup();
    const [a, b] = await s.users();
    const [l1] = logIds();
    await s.apply(s.log.followed(a, b), s.log.skipped(b), s.log.logged(b, l1, { endedAt: NOW - HOUR }));
    expect(await s.feed(a)).toEqual([l1]);
    expect(await redis.hget(feedKeys(s.settings.prefix).guard, `user-${b}`)).toBe('2');
  });
});

describe('gaps', () => {
  it.each([
    ['a sleep log', (s: Setup, u: UserId) => s.log.logged(u, newLogId(), { endedAt: NOW - HOUR })],
    ['a retraction', (s: Setup, u: UserId) => s.log.retracted(u, newLogId())],
    ['a follow', (s: Setup, u: UserId, other: UserId) => s.log.followed(u, other)],
    ['an unfollow', (s: Setup, u: UserId, other: UserId) => s.log.unfollowed(u, other)],
    ['a profile update', (s: Setup, u: UserId) => s.log.profileUpdated(u)],
    ['a skipped revision', (s: Setup, u: UserId) => s.log.skipped(u)],
  ])('throw RevisionGap for %s beyond the next revision, and write nothing', async (_name, next) => {
    const s = setup();
    const [a, b] = await s.users();
    await s.apply(s.log.followed(a, b), s.log.followed(b, a), s.log.logged(b, newLogId(), { endedAt: NOW - 2 * HOUR }));
    const before = await s.dump();
    s.log.profileUpdated(b); // revision 2 of b never reaches the projector
    next(s, b, a);
    const beyond = s.log.all.at(-1)!;
    const thrown = await s.projector.apply([beyond]).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(RevisionGap);
    expect(thrown).toMatchObject({ streamId: `user-${b}`, nextExpected: 3, arrived: 4 });
    expect(await s.dump()).toEqual(before);
  });
});
