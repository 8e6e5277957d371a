import { mysqlSettingsOf } from '../../shared/mysql/settings.js';
import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import type { LogId, UserId, UtcInstant } from '../../shared/events/index.js';
import { createMysqlEventStore } from '../../shared/event-store/mysql/store.js';
import { eventStoreMigrations } from '../../shared/event-store/mysql/schema.js';
import type { EventStore } from '../../shared/event-store/port.js';
import { migrate } from '../../shared/mysql/migrate.js';
import { createPool, ensureDatabase } from '../../shared/mysql/pool.js';
import { cleanUp, testConfig } from '../../shared/testing/environment.js';
import { handleUserCommand } from './handle.js';
import { loadUserStream, lruStreamCache } from './stream.js';

const config = testConfig('stream_cache');
let pool: mysql.Pool;
let store: EventStore;
const NOW = Date.parse('2026-11-21T12:00:00Z');

beforeAll(async () => {
  const settings = mysqlSettingsOf(config, 4);
  await ensureDatabase(settings);
  pool = createPool(settings);
  await migrate(pool, [{ id: 'event-store-001', statements: eventStoreMigrations }]);
  store = createMysqlEventStore(pool);
});
afterAll(async () => {
  await pool.end();
  await cleanUp(config);
});

const night = (day: number) => ({
  logId: randomUUID() as LogId,
  startedAt: `2026-11-${String(day).padStart(2, '0')}T22:00:00.000Z` as UtcInstant,
  endedAt: `2026-11-${String(day + 1).padStart(2, '0')}T06:00:00.000Z` as UtcInstant,
  quality: null,
  note: null,
});

describe('the command side’s stream cache', () => {
  it('gives the same state as a full fold, including events another process appended', async () => {
    const userId = randomUUID() as UserId;
    const cache = lruStreamCache(10);
    const run = (command: Parameters<typeof handleUserCommand>[1]['command'], env = { store, clock: () => NOW, streamCache: cache }) =>
      handleUserCommand(env, { userId, command, commandId: randomUUID(), correlationId: 'c', causationId: null });
    await run({ type: 'RegisterUser', data: { userId, handle: `cache_${userId.slice(0, 6)}`, displayName: 'C', timezone: 'UTC' } as never });
    await run({ type: 'LogSleep', data: night(1) });
    // Another process (no shared cache) appends a night the cache has not seen.
    await run({ type: 'LogSleep', data: night(2) }, { store, clock: () => NOW, streamCache: lruStreamCache(10) });
    // The cached path must still see it: the same night again overlaps.
    const overlapping = await run({ type: 'LogSleep', data: { ...night(2), logId: randomUUID() as LogId } });
    expect(overlapping).toEqual(E.left('SLEEP_OVERLAPS'));

    const full = await loadUserStream(store, userId);
    const cached = await loadUserStream(store, userId, cache);
    expect(cached).toEqual(full);
    expect(full.revision).toBe(2);
  });

  it('forgets the least recently used streams beyond its size', () => {
    const cache = lruStreamCache(2);
    const entry = { state: { status: 'unregistered' as const }, revision: 0, lastPosition: 1 };
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()] as UserId[];
    cache.set(a!, entry);
    cache.set(b!, entry);
    cache.get(a!);
    cache.set(c!, entry);
    expect([cache.get(a!), cache.get(b!), cache.get(c!)].map(Boolean)).toEqual([true, false, true]);
  });
});
