import { Redis } from 'ioredis';
import { createRedis } from '../../shared/redis/client.js';
import { feedProjector } from '../../projections/feeds/projector.js';
import { leaderboardProjector } from '../../projections/leaderboards/projector.js';
import { withProgress } from '../../projections/runtime/progress.js';
import { runProjector } from '../../projections/runtime/run.js';
import { feedKeys } from '../../shared/feeds/keys.js';
import { systemClock } from '../../shared/ids.js';
import { globalBoardKey, PERIODS } from '../../shared/leaderboards/windows.js';
import { deleteKeys } from '../../projections/feeds/testing.js';
import { throughputs, withCleanup, type Context, type Row, type Scenario } from '../harness.js';
import { isolated } from '../isolated.js';
import { committedToEnd, deleteGroups, fillTopic, rawConsumer, timedPass } from '../projection-topic.js';

const FOLLOWERS = 10;
const NIGHTS = 10;

/** What the raw side reads of a message: JSON.parse only, no validation. */
type RawEvent = {
  readonly type: string;
  readonly data: Record<string, string | number | null>;
  readonly metadata: { readonly revision: number };
};

/**
 * The Redis projectors (leaderboards + home feeds, fan-out on write to F followers) through the real
 * runtime, from offset 0 to the end of a pre-filled topic, against a raw kafkajs consumer that
 * writes the same effects with one ioredis pipeline per batch.
 */
const run = (ctx: Context): Promise<Row[]> =>
  withCleanup(async (defer) => {
    const users = ctx.mode === 'quick' ? 300 : 1_000;
    const config = await isolated('s4', defer);
    const input = await fillTopic(config, { users, follows: FOLLOWERS, logs: NIGHTS }, defer, ctx.log);
    const groups: string[] = [];
    defer(() => deleteGroups(input.kafka, groups));
    // Our side with the client the launcher gives projectors; the baseline pipelines by hand.
    const redisA = createRedis(config.REDIS_URL);
    const redisB = new Redis(config.REDIS_URL);
    defer(() => Promise.resolve(redisA.disconnect()));
    defer(() => Promise.resolve(redisB.disconnect()));
    const log = (level: 'info' | 'warn' | 'error', message: string) => {
      if (level !== 'info') ctx.log(`projector ${level}: ${message}`);
    };
    let round = 0;
    // Every pass writes under a fresh prefix (empty read models, so nothing is skipped as already
    // applied) and a fresh consumer group; the keys go once the pass is timed.
    const fresh = () => {
      const n = round++;
      const prefix = `${config.REDIS_KEY_PREFIX}r${n}:`;
      return { prefix, group: `${config.PROJECTOR_GROUP_PREFIX}.s4.${n}` };
    };
    const emptyAfter = async (rate: number, prefix: string) => {
      await deleteKeys(redisA, prefix);
      return rate;
    };

    const projectors = async () => {
      const { prefix, group } = fresh();
      const rate = await timedPass(input.total, async () => {
        const deps = { kafka: input.kafka, producer: input.producer, store: input.store, log };
        const topic = { topic: input.topic, deadLetterTopic: input.deadLetterTopic };
        const running = await Promise.all([
          runProjector(withProgress(leaderboardProjector(redisA, { prefix, retentionDays: config.LEADERBOARD_RETENTION_DAYS }), redisA, prefix), deps, {
            ...topic,
            groupId: `${group}.leaderboards`,
          }),
          runProjector(
            withProgress(feedProjector(redisA, { prefix, length: config.FEED_LENGTH, retentionDays: config.FEED_RETENTION_DAYS, clock: systemClock }), redisA, prefix),
            deps,
            { ...topic, groupId: `${group}.feeds` },
          ),
        ]);
        groups.push(`${group}.leaderboards`, `${group}.feeds`);
        return {
          done: Promise.all(running.map((p) => committedToEnd(p.consumer, input.ends))).then(() => undefined),
          stop: () => Promise.all(running.map((p) => p.stop())),
        };
      });
      return emptyAfter(rate, prefix);
    };

    const raw = async () => {
      const { prefix, group } = fresh();
      const k = feedKeys(prefix);
      const retentionMs = config.FEED_RETENTION_DAYS * 86_400_000;
      const rate = await timedPass(input.total, async () => {
        groups.push(group);
        const consumer = await rawConsumer(input.kafka, { groupId: group, maxWaitTimeInMs: 50, minBytes: 1 }, input.topic, async ({ batch }) => {
          const pipeline = redisB.pipeline();
          for (const message of batch.messages) {
            const e = JSON.parse(message.value?.toString('utf8') ?? 'null') as RawEvent;
            const d = e.data;
            if (e.type === 'Followed') {
              const [follower, followee, epoch] = [String(d.userId), String(d.followeeId), String(e.metadata.revision)];
              pipeline.hset(k.followers(followee), follower, epoch);
              pipeline.hset(k.following(follower), followee, epoch);
            } else if (e.type === 'SleepLogged') {
              const [author, logId, endedAt] = [String(d.userId), String(d.logId), Date.parse(String(d.endedAt))];
              const item = { logId, authorId: author, startedAt: d.startedAt, endedAt: d.endedAt, durationMinutes: d.durationMinutes, quality: d.quality };
              pipeline.set(k.item(logId), JSON.stringify(item), 'EXAT', Math.ceil((endedAt + retentionMs) / 1000));
              pipeline.zadd(k.author(author), endedAt, logId);
              // The follower graph is the bench's own (the projector reads it from Redis in its script).
              for (const follower of input.followersOf.get(author) ?? []) pipeline.zadd(k.home(follower), endedAt, logId);
              for (const period of PERIODS) pipeline.zincrby(globalBoardKey(prefix, period, String(d.wakeDate)), Number(d.durationMinutes), author);
            }
          }
          const failed = ((await pipeline.exec()) ?? []).find(([error]) => error);
          if (failed?.[0]) {
            ctx.log(`raw pipeline failed: ${String(failed[0])}`);
            throw failed[0];
          }
        });
        return { done: committedToEnd(consumer, input.ends), stop: () => consumer.disconnect() };
      });
      return emptyAfter(rate, prefix);
    };

    const [a, b] = await throughputs(
      [
        { label: 'projectors (leaderboards + feeds)', round: projectors },
        { label: 'raw consumer + pipeline', round: raw },
      ],
      ctx.budget,
      ctx.log,
    );
    return [
      {
        scenario: 'S4',
        metric: `Redis projectors (leaderboards + feeds, fan-out to ${FOLLOWERS}) over ${input.total} events, offset 0 → end, vs raw consumer + one ioredis pipeline per batch`,
        unit: 'events/s',
        a,
        b,
        goal: { kind: 'ratio-at-least', value: 0.7 },
      },
    ];
  });

export const s4: Scenario = { id: 'S4', title: 'Redis projectors (leaderboards + feed fan-out) vs raw consumer + ioredis pipeline', run };
