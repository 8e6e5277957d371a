import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, testConfig } from '../../shared/testing/environment.js';
import { startTracking, type Tracking } from './tracking.js';

const config = testConfig('tracking');
const key = (name: string) => `${config.REDIS_KEY_PREFIX}${name}`;
let admin: Redis;
let tracking: Tracking;
const heard: (string | null)[] = [];

const upAgain = () => eventually(async () => ((await tracking.synced()) ? true : undefined), 10_000, 20);
/** The ids of the read connection and of the one it redirects invalidations to. */
const ids = async () => {
  const id = String(await tracking.redis.client('ID'));
  const info = (await tracking.redis.call('CLIENT', 'TRACKINGINFO')) as unknown[];
  return { reads: id, invalidations: String(info[info.indexOf('redirect') + 1]) };
};

beforeAll(async () => {
  admin = new Redis(config.REDIS_URL);
  tracking = startTracking(config.REDIS_URL);
  tracking.onInvalidate((k) => void heard.push(k));
  await upAgain();
});

afterAll(async () => {
  tracking.close();
  const keys = await admin.keys(`${config.REDIS_KEY_PREFIX}*`);
  if (keys.length > 0) await admin.del(...keys);
  admin.disconnect();
});

describe('client-side caching with Redis tracking', () => {
  it('has heard of every change to a key it read by the time it is synced', async () => {
    // Many rounds: an invalidation and the write's reply race each other every time.
    for (let i = 0; i < 50; i++) {
      heard.length = 0;
      await tracking.redis.get(key('a'));
      await admin.set(key('a'), String(i));
      expect(await tracking.synced()).toBe(true);
      expect(heard).toEqual([key('a')]);
    }
  });

  it('does not hear of keys it did not read', async () => {
    heard.length = 0;
    await admin.set(key('unread'), '1');
    expect(await tracking.synced()).toBe(true);
    expect(heard).toEqual([]);
  });

  it('lets a read be held only when none of its keys changed while it was under way', async () => {
    const kept = tracking.begin();
    const spoiled = tracking.begin();
    if (!kept || !spoiled) throw new Error('tracking is down');
    await tracking.redis.mget(key('b'), key('c'));
    await admin.set(key('c'), 'changed');
    await tracking.synced();
    expect(tracking.end(spoiled, [key('b'), key('c')])).toBe(false);
    expect(tracking.end(kept, [key('b'), key('d')])).toBe(true);
  });

  it('sends one PING for every caller of a turn of the event loop, and another for a caller after it left', async () => {
    const monitor = new Redis(config.REDIS_URL);
    const { invalidations } = await ids();
    // Only this tracking's PINGs: other test files share the server.
    const addr = /addr=(\S+)/.exec(String(await admin.client('LIST', 'ID', invalidations)))?.[1];
    const pings: string[] = [];
    await monitor.monitor().then((m) => m.on('monitor', (_time: string, args: string[], source: string) => void (args[0]?.toLowerCase() === 'ping' && source === addr && pings.push(source))));
    const first = Array.from({ length: 10 }, () => tracking.synced());
    await new Promise((r) => setImmediate(r));
    const later = tracking.synced();
    expect(await Promise.all([...first, later])).toEqual(Array(11).fill(true));
    await new Promise((r) => setTimeout(r, 100));
    monitor.disconnect();
    expect(addr).toBeDefined();
    expect(pings).toHaveLength(2);
  });

  describe('syncedWithin', () => {
    let now = 0;
    let clocked: Tracking;
    beforeAll(async () => {
      clocked = startTracking(config.REDIS_URL, { now: () => now });
      await eventually(async () => ((await clocked.synced()) ? true : undefined), 10_000, 20);
    });
    afterAll(() => clocked.close());

    it('answers at once while a PING sent at most that long ago was answered, and waits for one after', async () => {
      now = 1_000;
      expect(await clocked.synced()).toBe(true); // a PING sent at 1000
      now = 1_004;
      expect(clocked.syncedWithin(5)).toBe(true);
      now = 1_005;
      expect(clocked.syncedWithin(5)).toBe(true);
      now = 1_006;
      const waited = clocked.syncedWithin(5);
      expect(waited).toBeInstanceOf(Promise);
      expect(await waited).toBe(true); // a PING sent at 1006
      now = 1_010;
      expect(clocked.syncedWithin(5)).toBe(true);
      expect(clocked.syncedWithin(0)).toBeInstanceOf(Promise);
    });

    it('keeps itself answering at once under steady use: past half the time, a PING goes out in the background', async () => {
      now = 2_000;
      await clocked.synced();
      now = 2_003; // past half of 5: answers at once, and sends a PING stamped 2003
      expect(clocked.syncedWithin(5)).toBe(true);
      await new Promise((r) => setTimeout(r, 50));
      now = 2_007; // 7 after the first PING, 4 after the background one
      expect(clocked.syncedWithin(5)).toBe(true);
    });

    it('never answers at once after its connection was lost, until a PING of the new one is answered', async () => {
      now = 4_000;
      await clocked.synced();
      const lost = new Promise<void>((resolve) => clocked.onInvalidate((k) => k === null && resolve()));
      await admin.client('KILL', 'ID', String(await clocked.redis.client('ID')));
      await lost;
      expect(clocked.syncedWithin(1_000)).toBeInstanceOf(Promise);
      await eventually(async () => ((await clocked.synced()) ? true : undefined), 10_000, 20);
      expect(clocked.syncedWithin(1_000)).toBe(true);
    });
  });

  for (const which of ['reads', 'invalidations'] as const) {
    it(`drops everything when its ${which} connection is lost, then tracks again`, async () => {
      const before = await ids();
      heard.length = 0;
      const read = tracking.begin();
      if (!read) throw new Error('tracking is down');
      await admin.client('KILL', 'ID', before[which]);
      await eventually(() => Promise.resolve(heard.includes(null) ? true : undefined), 5_000, 10);
      expect(tracking.end(read, [])).toBe(false);

      await upAgain();
      const after = await ids();
      expect(after[which]).not.toBe(before[which]);
      heard.length = 0;
      await tracking.redis.get(key('e'));
      await admin.set(key('e'), which);
      expect(await tracking.synced()).toBe(true);
      expect(heard).toEqual([key('e')]);
    });
  }
});
