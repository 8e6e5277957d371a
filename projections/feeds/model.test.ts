import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogId, UserId } from '../../shared/events/index.js';
import { encodeFeedItem } from '../../shared/feeds/item.js';
import { feedKeys, retentionCutoff } from '../../shared/feeds/keys.js';
import { testConfig } from '../../shared/testing/environment.js';
import type { ProjectionItem } from '../runtime/projector.js';
import { expected, type FeedEntry } from './model.js';
import { feedProjector } from './projector.js';
import { deleteKeys, eventLog, HOUR, newLogId, newUserId, NOW, recordedEvents } from './testing.js';

// Random histories of 3–4 users, delivered per stream in order but interleaved across streams,
// partly concurrently, with redeliveries; Redis must end where the pure model says.
const config = testConfig('feeds-model');
let redis: Redis;
let runs = 0;

beforeAll(() => {
  redis = new Redis(config.REDIS_URL);
});
afterAll(async () => {
  await deleteKeys(redis, config.REDIS_KEY_PREFIX);
  redis.disconnect();
});

type Command =
  | { readonly k: 'log'; readonly u: number; readonly hoursAgo: number }
  | { readonly k: 'correct'; readonly u: number; readonly pick: number; readonly hoursAgo: number }
  | { readonly k: 'retract'; readonly u: number; readonly pick: number }
  | { readonly k: 'follow' | 'unfollow'; readonly u: number; readonly v: number }
  | { readonly k: 'profile' | 'skip'; readonly u: number };

// Whole hours make equal end times common (ties are ordered by log id); 160–180 h straddles the 7 days.
const hoursAgo = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 30 }) }, { weight: 1, arbitrary: fc.integer({ min: 160, max: 180 }) });
const user = fc.nat({ max: 3 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('log' as const), u: user, hoursAgo }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('correct' as const), u: user, pick: fc.nat(), hoursAgo }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('retract' as const), u: user, pick: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('follow' as const), u: user, v: user }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('unfollow' as const), u: user, v: user }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constantFrom('profile' as const, 'skip' as const), u: user }) },
);

type Step = { readonly pick: number; readonly back: number; readonly size: number; readonly together: boolean };
const step: fc.Arbitrary<Step> = fc.record({ pick: fc.nat(), back: fc.nat({ max: 3 }), size: fc.integer({ min: 1, max: 3 }), together: fc.boolean() });

/** Turns commands into the events a decider would accept (invalid ones are dropped). */
const history = (userCount: number, commands: readonly Command[]) => {
  const log = eventLog();
  const users: UserId[] = Array.from({ length: userCount }, () => newUserId());
  for (const u of users) log.registered(u);
  const live = users.map((): LogId[] => []);
  const following = users.map(() => new Set<number>());
  for (const c of commands) {
    const u = c.u % userCount;
    const me = users[u] ?? newUserId();
    const mine = live[u] ?? [];
    switch (c.k) {
      case 'log': {
        const id = newLogId();
        mine.push(id);
        log.logged(me, id, { endedAt: NOW - c.hoursAgo * HOUR });
        break;
      }
      case 'correct':
      case 'retract': {
        const id = mine[c.pick % Math.max(1, mine.length)];
        if (!id) break;
        if (c.k === 'correct') log.corrected(me, id, { endedAt: NOW - c.hoursAgo * HOUR, minutes: 300 });
        else {
          mine.splice(mine.indexOf(id), 1);
          log.retracted(me, id);
        }
        break;
      }
      case 'follow':
      case 'unfollow': {
        const v = c.v % userCount;
        const them = users[v];
        const set = following[u];
        if (v === u || !them || !set || (c.k === 'follow') === set.has(v)) break;
        if (c.k === 'follow') {
          set.add(v);
          log.followed(me, them);
        } else {
          set.delete(v);
          log.unfollowed(me, them);
        }
        break;
      }
      case 'profile':
        log.profileUpdated(me);
        break;
      case 'skip':
        log.skipped(me);
        break;
    }
  }
  return { users, items: log.all };
};

/** Groups of single-stream batches; the batches of one group are applied concurrently. */
const deliveries = (items: readonly ProjectionItem[], steps: readonly Step[]): ProjectionItem[][][] => {
  const streamOf = (i: ProjectionItem) => (i.kind === 'event' ? i.event.metadata : i.metadata).streamId;
  const byStream = new Map<string, ProjectionItem[]>();
  for (const item of items) byStream.set(streamOf(item), [...(byStream.get(streamOf(item)) ?? []), item]);
  const streams = [...byStream.values()];
  const next = streams.map(() => 0);
  const groups: { streams: Set<number>; batches: ProjectionItem[][] }[] = [];
  for (const s of steps) {
    const open = streams.flatMap((items, i) => ((next[i] ?? 0) < items.length ? [i] : []));
    const i = open[s.pick % Math.max(1, open.length)];
    const stream = i === undefined ? undefined : streams[i];
    if (i === undefined || !stream) break;
    const at = next[i] ?? 0;
    const end = Math.min(stream.length, at + s.size);
    const batch = stream.slice(Math.max(0, at - s.back), end); // `back` earlier items come again
    next[i] = end;
    const last = groups.at(-1);
    if (s.together && last && !last.streams.has(i)) {
      last.streams.add(i);
      last.batches.push(batch);
    } else groups.push({ streams: new Set([i]), batches: [batch] });
  }
  const rest = streams.flatMap((items, i) => ((next[i] ?? 0) < items.length ? [items.slice(next[i])] : []));
  return [...groups.map((g) => g.batches), rest];
};

describe('the model', () => {
  it('is the followees’ live logs within the retention, newest first, cut to the length', () => {
    const log = eventLog();
    const [a, b, c] = [newUserId(), newUserId(), newUserId()];
    const [l1, l2, l3, l4] = [newLogId(), newLogId(), newLogId(), newLogId()];
    log.followed(a, b);
    log.followed(a, c);
    log.logged(b, l1, { endedAt: NOW - 3 * HOUR });
    log.logged(c, l2, { endedAt: NOW - HOUR });
    log.logged(b, l3, { endedAt: NOW - 8 * 24 * HOUR });
    log.logged(c, l4, { endedAt: NOW - 2 * HOUR });
    log.retracted(c, l4);
    log.logged(a, newLogId(), { endedAt: NOW });
    const model = expected(recordedEvents(log.all), { length: 2, retentionDays: 7, now: NOW });
    expect(model.feeds(a)).toEqual([
      { logId: l2, score: NOW - HOUR },
      { logId: l1, score: NOW - 3 * HOUR },
    ]);
    expect(model.feeds(b)).toEqual([]);
    expect(model.authored(b)).toEqual([{ logId: l1, score: NOW - 3 * HOUR }]);
  });
});

describe('the projector against the model', () => {
  it('ends every feed where the model says, whatever the delivery', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 3, max: 4 }),
        fc.integer({ min: 2, max: 4 }),
        fc.array(command, { maxLength: 50, size: 'max' }),
        fc.array(step, { maxLength: 80, size: 'max' }),
        async (userCount, length, commands, steps) => {
          const prefix = `${config.REDIS_KEY_PREFIX}${++runs}:`;
          const settings = { prefix, length, retentionDays: 7, clock: () => NOW };
          const projector = feedProjector(redis, settings);
          const { users, items } = history(userCount, commands);
          try {
            for (const group of deliveries(items, steps)) await Promise.all(group.map((batch) => projector.apply(batch)));

            const model = expected(recordedEvents(items), { length, retentionDays: 7, now: NOW });
            const k = feedKeys(prefix);
            const cutoff = retentionCutoff(NOW, 7);
            const read = async (key: string): Promise<FeedEntry[]> => {
              const flat = await redis.zrange(key, '+inf', cutoff, 'BYSCORE', 'REV', 'WITHSCORES');
              return flat.flatMap((logId, i) => (i % 2 === 0 ? [{ logId, score: Number(flat[i + 1]) }] : []));
            };
            for (const u of users) {
              expect(await read(k.home(u)), `feed of user ${users.indexOf(u)}`).toEqual(model.feeds(u));
              expect(await read(k.author(u)), `logs of user ${users.indexOf(u)}`).toEqual(model.authored(u));
            }
            for (const [logId, item] of model.items) {
              const stored = await redis.get(k.item(logId));
              expect(stored).toBe(encodeFeedItem(item));
            }
          } finally {
            await deleteKeys(redis, prefix);
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});
