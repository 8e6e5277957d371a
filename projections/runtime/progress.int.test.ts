import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { appliedPosition, awaitPosition } from '../../shared/projections/progress.js';
import type { UserId } from '../../shared/events/index.js';
import { withProgress } from './progress.js';
import { streamBuilder } from './testing.js';
import type { ProjectionItem } from './projector.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefix = `sstest:progress:${randomUUID()}:`;
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('projection progress', () => {
  it('records the highest position applied per stream, never moving back, and only after the effects', async () => {
    const item = streamBuilder();
    const a = randomUUID();
    const follow = (n: number): ProjectionItem => item(a, { type: 'Followed', data: { userId: a as UserId, followeeId: `00000000-0000-4000-8000-00000000000${n}` as UserId } });
    const items = [follow(1), follow(2), follow(3)];
    let failing = true;
    const projector = withProgress(
      { name: 'demo', apply: () => (failing ? Promise.reject(new Error('redis down')) : Promise.resolve()) },
      redis,
      prefix,
    );
    await expect(projector.apply(items)).rejects.toThrow('redis down');
    expect(await appliedPosition(redis, prefix, 'demo', `user-${a}`)).toBe(0);

    failing = false;
    await projector.apply(items);
    expect(await appliedPosition(redis, prefix, 'demo', `user-${a}`)).toBe(3);
    await projector.apply(items.slice(0, 1)); // a redelivered older item
    expect(await appliedPosition(redis, prefix, 'demo', `user-${a}`)).toBe(3);
  });

  it('waits until a position is reached, or says how far it got', async () => {
    const stream = `user-${randomUUID()}`;
    const waiting = awaitPosition(redis, prefix, 'demo', stream, 7, 2_000);
    setTimeout(() => void redis.zadd(`${prefix}progress:demo`, 7, stream), 100);
    expect(await waiting).toMatchObject({ reached: true, applied: 7 });
    const stale = await awaitPosition(redis, prefix, 'demo', stream, 9, 100);
    expect(stale).toMatchObject({ reached: false, applied: 7 });
    expect(stale.waitedMs).toBeGreaterThanOrEqual(100);
  });
});
