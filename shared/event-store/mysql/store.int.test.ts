import { mysqlSettingsOf } from '../../mysql/settings.js';
import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import { eventStoreContract } from '../contract.js';
import { createMysqlEventStore } from './store.js';
import { appendWithin } from './append.js';
import { eventStoreMigrations } from './schema.js';
import { createPool, ensureDatabase, type MysqlSettings } from '../../mysql/pool.js';
import { migrate } from '../../mysql/migrate.js';
import { cleanUp, testConfig } from '../../testing/environment.js';
import { newEvent } from '../../testing/events.js';
import type { EventStore } from '../port.js';

const config = testConfig('mysql_store');
const settings: MysqlSettings = mysqlSettingsOf(config, 20);

let pool: mysql.Pool;
beforeAll(async () => {
  await ensureDatabase(settings);
  pool = createPool(settings);
  await migrate(pool, [{ id: 'event-store-001', statements: eventStoreMigrations }]);
});
afterAll(async () => {
  await pool.end();
  await cleanUp(config);
});

eventStoreContract('MySQL/MariaDB', () => Promise.resolve({ store: createMysqlEventStore(pool), dispose: () => Promise.resolve() }));

describe('MySQL store: positions in commit order', () => {
  let store: EventStore;
  beforeAll(() => {
    store = { ...createMysqlEventStore(pool), close: () => Promise.resolve() };
  });

  it('never lets a reader skip a transaction that is slow to commit', async () => {
    const from = await store.headPosition();
    // A slow writer: its transaction has appended but not committed.
    const slow = await pool.getConnection();
    await slow.beginTransaction();
    await appendWithin(slow, `user-slow-${randomUUID()}`, [newEvent('Slow')], 'no_stream');

    // A fast writer starts after it; with AUTO_INCREMENT it would commit a higher position first.
    let fastDone = false;
    const fast = store.append(`user-fast-${randomUUID()}`, [newEvent('Fast')], 'no_stream').then((r) => {
      fastDone = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 300));

    // A reader polling now must see nothing past its checkpoint: no later position is visible
    // while an earlier one is still uncommitted.
    expect(await store.readAll({ afterPosition: from, limit: 10 })).toEqual([]);
    expect(fastDone).toBe(false);

    await slow.commit();
    slow.release();
    expect(E.isRight(await fast)).toBe(true);
    const seen = await store.readAll({ afterPosition: from, limit: 10 });
    expect(seen.map((e) => [e.type, e.metadata.position])).toEqual([
      ['Slow', from + 1],
      ['Fast', from + 2],
    ]);
  });

  it('hands a concurrently polling reader every position exactly once, without gaps', async () => {
    const from = await store.headPosition();
    const writers = 16;
    const perWriter = 20;
    const total = writers * perWriter;
    let writing = true;
    const seen: number[] = [];
    const reader = (async () => {
      let checkpoint = from;
      while (writing || checkpoint < from + total) {
        const page = await store.readAll({ afterPosition: checkpoint, limit: 50 });
        for (const e of page) seen.push(e.metadata.position);
        checkpoint = page[page.length - 1]?.metadata.position ?? checkpoint;
        if (page.length === 0) await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) await store.append(`user-w${w}-${randomUUID()}`, [newEvent('E')], 'no_stream');
      }),
    );
    writing = false;
    await reader;
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => from + i + 1));
  });
});

describe('MySQL store: group commit', () => {
  it('commits concurrent appends together, and one bad append fails alone', async () => {
    const store = createMysqlEventStore(pool);
    const taken = newEvent('Taken');
    await store.append(`user-owner-${randomUUID()}`, [taken], 'no_stream');
    const existing = `user-existing-${randomUUID()}`;
    await store.append(existing, [newEvent('First')], 'no_stream');

    const good = Array.from({ length: 20 }, () => store.append(`user-g-${randomUUID()}`, [newEvent('Good'), newEvent('Good')], 'no_stream'));
    const conflicting = store.append(existing, [newEvent('Stale')], 'no_stream');
    const reusedId = store.append(`user-thief-${randomUUID()}`, [newEvent('Thief', {}, taken.metadata.eventId)], 'no_stream');
    const results = await Promise.all(good);

    expect(results.every((r) => E.isRight(r) && !r.right.duplicate)).toBe(true);
    expect(await conflicting).toEqual(E.left({ code: 'WRONG_EXPECTED_REVISION', stream: existing, expected: 'no_stream', actual: 0 }));
    await expect(reusedId).rejects.toThrow(/already stored in another stream/);
    // Every good append is readable at its revisions, and positions are unique.
    const positions = results.map((r) => (E.isRight(r) ? r.right.position : -1));
    expect(new Set(positions).size).toBe(20);
  });
});
