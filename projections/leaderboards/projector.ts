import { readFileSync } from 'node:fs';
import type { Redis, Result } from 'ioredis';
import type { Projector } from '../runtime/projector.js';
import { metadataOf, RevisionGap } from '../runtime/projector.js';
import { scriptCall, type LeaderboardSettings } from './effects.js';

const script = readFileSync(new URL('./apply.lua', import.meta.url), 'utf8');

declare module 'ioredis' {
  interface RedisCommander<Context> {
    sleepsocialLeaderboardApply(guard: string, log: string, ...args: string[]): Result<[number, number], Context>;
  }
}

/**
 * Global leaderboards per day / ISO week / month, as Redis sorted sets of total minutes slept.
 * Every item goes through one Lua script that checks and advances the stream's revision guard in
 * the same atomic step as the score change, so redelivery never counts a night twice.
 */
export const leaderboardProjector = (redis: Redis, s: LeaderboardSettings): Projector => {
  redis.defineCommand('sleepsocialLeaderboardApply', { numberOfKeys: 2, lua: script });
  return {
    name: 'leaderboards',
    apply: async (items) => {
      if (items.length === 0) return;
      const pipeline = redis.pipeline();
      for (const item of items) {
        const call = scriptCall(item, s);
        pipeline.sleepsocialLeaderboardApply(call.keys[0], call.keys[1], ...call.args);
      }
      const results = (await pipeline.exec()) ?? [];
      results.forEach(([error, reply], i) => {
        if (error) throw error;
        const [status, applied] = reply as [number, number];
        const item = items[i];
        if (status === 2 && item) {
          const meta = metadataOf(item);
          throw new RevisionGap(meta.streamId, applied + 1, meta.revision);
        }
      });
    },
  };
};
