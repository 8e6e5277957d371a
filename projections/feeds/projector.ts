import { readFileSync } from 'node:fs';
import type { Redis, Result } from 'ioredis';
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { feedKeys, retentionCutoff } from '../../shared/feeds/keys.js';
import type { Clock } from '../../shared/ids.js';
import { formatDecodeErrors } from '../../shared/validation/format.js';
import type { ProjectionItem, Projector } from '../runtime/projector.js';
import { metadataOf, RevisionGap } from '../runtime/projector.js';
import { feedEffect } from './effects.js';

export type FeedSettings = {
  readonly prefix: string;
  /** Entries kept per home feed. */
  readonly length: number;
  /** Days a log stays in feeds, counted from its endedAt. */
  readonly retentionDays: number;
  readonly clock: Clock;
};

/** For tests: runs between a sleep-log item's first step and its fan-out, to stage races there. */
export type FeedProjectorHooks = { readonly afterSnapshot?: (item: ProjectionItem) => Promise<void> };

const common = readFileSync(new URL('./scripts/common.lua', import.meta.url), 'utf8');
const script = (name: string): string => `${common}\n${readFileSync(new URL(`./scripts/${name}.lua`, import.meta.url), 'utf8')}`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    sleepsocialFeedGuard(guard: string, ...args: string[]): Result<unknown, Context>;
    sleepsocialFeedLog(guard: string, item: string, author: string, followers: string, ...args: string[]): Result<unknown, Context>;
    sleepsocialFeedSync(...keysAndArgs: string[]): Result<unknown, Context>;
    sleepsocialFeedFollow(guard: string, followers: string, following: string, home: string, author: string, trimmed: string, ...args: string[]): Result<unknown, Context>;
    sleepsocialFeedUnfollow(guard: string, followers: string, following: string, home: string, author: string, trimmed: string, ...args: string[]): Result<unknown, Context>;
  }
}

const Status = t.union([t.literal(0), t.literal(1), t.literal(2)]);
const GuardReply = t.tuple([Status, t.number]);
const LogReply = t.tuple([Status, t.number, t.array(t.string)]);

const decodeReply = <A>(codec: t.Type<A, unknown, unknown>, reply: unknown, what: string): A => {
  const decoded = codec.decode(reply);
  if (E.isLeft(decoded)) throw new Error(`unexpected reply from the ${what} script: ${formatDecodeErrors(decoded.left).join('; ')}`);
  return decoded.right;
};

/** Followers per fan-out script call: few calls, yet no call holds Redis for long. */
const FAN_OUT_CHUNK = 100;

/**
 * Home feeds in Redis, fanned out on write. Per-stream order is the runtime's; across streams
 * nothing is ordered, and the scripts make every interleaving end the same: a log's first step
 * and a Followed/Unfollowed are atomic against each other, and the fan-out to each follower copies
 * the log's current state only while the follow epoch it was read with still holds.
 *
 * A sleep-log item takes three steps (check guard + record the log + read the followers; fan out;
 * advance the guard), so that a crash part-way redoes it from the start: each step is idempotent.
 */
export const feedProjector = (redis: Redis, s: FeedSettings, hooks: FeedProjectorHooks = {}): Projector => {
  redis.defineCommand('sleepsocialFeedGuard', { numberOfKeys: 1, lua: script('guard') });
  redis.defineCommand('sleepsocialFeedLog', { numberOfKeys: 4, lua: script('log') });
  // numberOfKeys: null: the first argument says how many keys (1 + 3 per follower of the chunk).
  redis.defineCommand('sleepsocialFeedSync', { lua: script('sync') });
  redis.defineCommand('sleepsocialFeedFollow', { numberOfKeys: 6, lua: script('follow') });
  redis.defineCommand('sleepsocialFeedUnfollow', { numberOfKeys: 6, lua: script('unfollow') });
  const k = feedKeys(s.prefix);
  const length = String(s.length);

  /** `followers` is flat {follower, epoch, ...}, as log.lua returns it. */
  const fanOut = async (authorId: string, logId: string, followers: readonly string[], cutoff: string): Promise<void> => {
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < followers.length; i += 2 * FAN_OUT_CHUNK) {
      const keys = [k.author(authorId)];
      const epochs: string[] = [];
      for (let j = i; j < Math.min(followers.length, i + 2 * FAN_OUT_CHUNK); j += 2) {
        const follower = followers[j] ?? '';
        keys.push(k.home(follower), k.following(follower), k.trimmed(follower));
        epochs.push(followers[j + 1] ?? '');
      }
      calls.push(redis.sleepsocialFeedSync(String(keys.length), ...keys, authorId, cutoff, length, k.base, logId, ...epochs));
    }
    // All chunks are sent at once (auto-pipelined); any failure fails the item, which is redone.
    await Promise.all(calls);
  };

  const applyItem = async (item: ProjectionItem): Promise<void> => {
    const meta = metadataOf(item);
    const stream = meta.streamId;
    const revision = String(meta.revision);
    const gap = (applied: number) => new RevisionGap(stream, applied + 1, meta.revision);
    const cutoff = String(retentionCutoff(s.clock(), s.retentionDays));
    const effect = feedEffect(item, s.retentionDays);
    switch (effect.kind) {
      case 'guard-only': {
        const [status, applied] = decodeReply(GuardReply, await redis.sleepsocialFeedGuard(k.guard, stream, revision), 'guard');
        if (status === 2) throw gap(applied);
        return;
      }
      case 'follow':
      case 'unfollow': {
        const { followerId: a, followeeId: b } = effect;
        const keys = [k.guard, k.followers(b), k.following(a), k.home(a), k.author(b), k.trimmed(a)] as const;
        const reply =
          effect.kind === 'follow'
            ? await redis.sleepsocialFeedFollow(...keys, stream, revision, a, b, cutoff, length)
            : await redis.sleepsocialFeedUnfollow(...keys, stream, revision, a, b, cutoff, length, k.base);
        const [status, applied] = decodeReply(GuardReply, reply, effect.kind);
        if (status === 2) throw gap(applied);
        return;
      }
      case 'log': {
        const { authorId, logId } = effect;
        const score = effect.score === null ? '' : String(effect.score);
        const reply = await redis.sleepsocialFeedLog(k.guard, k.item(logId), k.author(authorId), k.followers(authorId), stream, revision, logId, score, effect.json, String(effect.expireAt), cutoff);
        const [status, applied, followers] = decodeReply(LogReply, reply, 'log');
        if (status === 2) throw gap(applied);
        if (status === 0) return;
        await hooks.afterSnapshot?.(item);
        await fanOut(authorId, logId, followers, cutoff);
        const [after, appliedAfter] = decodeReply(GuardReply, await redis.sleepsocialFeedGuard(k.guard, stream, revision), 'guard');
        if (after === 2) throw gap(appliedAfter);
        return;
      }
    }
  };

  return {
    name: 'feeds',
    apply: async (items) => {
      // Streams are independent (the scripts make any interleaving safe); within one, items go in order.
      const byStream = new Map<string, ProjectionItem[]>();
      for (const item of items) {
        const stream = metadataOf(item).streamId;
        const list = byStream.get(stream);
        if (list) list.push(item);
        else byStream.set(stream, [item]);
      }
      const outcomes = await Promise.allSettled(
        [...byStream.values()].map(async (streamItems) => {
          for (const item of streamItems) await applyItem(item);
        }),
      );
      const failures = outcomes.flatMap((o): unknown[] => (o.status === 'rejected' ? [o.reason] : []));
      const first = failures.find((f) => f instanceof RevisionGap) ?? failures[0];
      if (first === undefined) return;
      throw first instanceof Error ? first : new Error('feed projector failed', { cause: first });
    },
  };
};
