import { mysqlSettingsOf } from '../../mysql/settings.js';
import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import { createMysqlEventStore } from './store.js';
import { mysqlAudit } from './audit.js';
import { eventStoreSchema } from './schema.js';
import { createPool, ensureDatabase, type MysqlSettings } from '../../mysql/pool.js';
import { migrate } from '../../mysql/migrate.js';
import { cleanUp, testConfig } from '../../testing/environment.js';
import { newEvent } from '../../testing/events.js';
import type { EventStore } from '../port.js';

const config = testConfig('event_audit');
const settings: MysqlSettings = mysqlSettingsOf(config, 10);

let pool: mysql.Pool;
let store: EventStore;
// Small pages, so that keyset paging crosses stream and page boundaries in these tests.
const audit = () => mysqlAudit(pool, 7);

beforeAll(async () => {
  await ensureDatabase(settings);
  pool = createPool(settings);
  await migrate(pool, eventStoreSchema);
  store = { ...createMysqlEventStore(pool), close: () => Promise.resolve() };
});
afterAll(async () => {
  await pool.end();
  await cleanUp(config);
});

/** A stream of `n` events, appended one by one (single appends and, when concurrent, group commits). */
const streamOf = async (n: number, name = 'audit'): Promise<string> => {
  const stream = `user-${name}-${randomUUID()}`;
  for (let i = 0; i < n; i++) {
    const result = await store.append(stream, [newEvent(`E${i}`, { i, note: `night ${i}` })], i === 0 ? 'no_stream' : i - 1);
    if (E.isLeft(result)) throw new Error('unexpected conflict');
  }
  return stream;
};

const row = async (stream: string, revision: number) => {
  const [rows] = await pool.query<mysql.RowDataPacket[]>(`SELECT position, data FROM events WHERE stream_id = ? AND revision = ?`, [stream, revision]);
  return { position: Number(rows[0]!.position), data: String(rows[0]!.data) };
};

describe('hash chain: an untouched store verifies clean', () => {
  it('chains single appends, multi-event appends and group commits, including several appends to one stream in one batch', async () => {
    const single = await streamOf(5, 'single');
    const multi = `user-multi-${randomUUID()}`;
    await store.append(multi, [newEvent('A'), newEvent('B'), newEvent('C')], 'no_stream');
    // Concurrent appends are committed in groups; `any` lets several land on one stream in one batch.
    const shared = `user-shared-${randomUUID()}`;
    const results = await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => store.append(shared, [newEvent(`S${i}`), newEvent(`S${i}b`)], 'any')),
      ...Array.from({ length: 20 }, () => store.append(`user-g-${randomUUID()}`, [newEvent('G')], 'no_stream')),
    ]);
    expect(results.every(E.isRight)).toBe(true);

    for (const s of [single, multi, shared]) expect((await audit().verifyStream(s)).broken).toBeNull();
    const sharedVerdict = await audit().verifyStream(shared);
    expect(sharedVerdict.events).toBe(60);

    const [heads] = await pool.query<mysql.RowDataPacket[]>(`SELECT s.revision, s.head_hash, e.hash FROM streams s JOIN events e ON e.stream_id = s.stream_id AND e.revision = s.revision WHERE s.stream_id = ?`, [shared]);
    expect(heads[0]).toMatchObject({ revision: 59 });
    expect(heads[0]!.head_hash).toBe(heads[0]!.hash);

    const summary = await audit().verifyAll();
    expect(summary).toMatchObject({ brokenStreams: 0, broken: [], legacy: 0 });
    expect(summary.streams).toBe(23);
    expect(summary.events).toBe(5 + 3 + 60 + 20);
    expect(summary.legacy).toBe(0);
  });

  it('chains appends to one stream that one group commit takes together, each at the revision the one before leaves', async () => {
    const stream = `user-batched-${randomUUID()}`;
    await store.append(stream, [newEvent('First')], 'no_stream');
    // Sent together: the committer queues them behind whatever is in flight and batches them.
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.append(stream, [newEvent(`N${i}`)], i)));
    expect(results.map((r) => (E.isRight(r) ? r.right.revision : -1))).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(await audit().verifyStream(stream)).toMatchObject({ events: 11, broken: null });
  });

  it('counts events written before hashing as a legacy prefix, and chains new appends after it', async () => {
    const stream = await streamOf(3, 'legacy');
    // As event-store-002 found them: no hash on the events, none on the head.
    await pool.query(`UPDATE events SET hash = NULL WHERE stream_id = ?`, [stream]);
    await pool.query(`UPDATE streams SET head_hash = NULL WHERE stream_id = ?`, [stream]);
    await store.append(stream, [newEvent('After')], 2);
    expect(await audit().verifyStream(stream)).toEqual({ streamId: stream, events: 4, legacy: 3, broken: null });
  });
});

describe('hash chain: tampering is found, at the first broken event', () => {
  it('names an event whose data was edited by hand', async () => {
    const stream = await streamOf(5, 'edited');
    const edited = await row(stream, 2);
    await pool.query(`UPDATE events SET data = ? WHERE stream_id = ? AND revision = 2`, [JSON.stringify({ i: 2, note: 'a longer night' }), stream]);
    expect((await audit().verifyStream(stream)).broken).toMatchObject({ streamId: stream, revision: 2, position: edited.position, reason: 'hash-mismatch' });
  });

  it('ignores a change of JSON spelling that keeps the data (the hash is over canonical JSON)', async () => {
    const stream = await streamOf(2, 'respelled');
    const { data } = await row(stream, 1);
    const respelled = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(data) as Record<string, unknown>).reverse()), null, 2);
    await pool.query(`UPDATE events SET data = ? WHERE stream_id = ? AND revision = 1`, [respelled, stream]);
    expect((await audit().verifyStream(stream)).broken).toBeNull();
  });

  it('names the event after a deleted one (a revision gap)', async () => {
    const stream = await streamOf(5, 'deleted');
    await pool.query(`DELETE FROM events WHERE stream_id = ? AND revision = 1`, [stream]);
    const after = await row(stream, 2);
    expect((await audit().verifyStream(stream)).broken).toMatchObject({ revision: 2, position: after.position, reason: 'revision-gap' });
  });

  it('finds a deleted last event by the head', async () => {
    const stream = await streamOf(4, 'truncated');
    await pool.query(`DELETE FROM events WHERE stream_id = ? AND revision = 3`, [stream]);
    expect((await audit().verifyStream(stream)).broken).toMatchObject({ revision: 3, position: null, reason: 'head-mismatch' });
  });

  it('finds a deleted last event when the head revision was rolled back too, by the head hash', async () => {
    const stream = await streamOf(4, 'rolled-back');
    await pool.query(`DELETE FROM events WHERE stream_id = ? AND revision = 3`, [stream]);
    await pool.query(`UPDATE streams SET revision = 2 WHERE stream_id = ?`, [stream]);
    expect((await audit().verifyStream(stream)).broken).toMatchObject({ revision: 2, reason: 'head-mismatch' });
  });

  it('names the first of two events whose positions were swapped', async () => {
    const stream = await streamOf(5, 'swapped-positions');
    const [a, b] = [await row(stream, 1), await row(stream, 3)];
    await swap(`position`, `stream_id = ? AND revision = ?`, [stream, 1], [stream, 3], a.position, b.position);
    expect((await audit().verifyStream(stream)).broken).toMatchObject({ revision: 1, position: b.position, reason: 'hash-mismatch' });
  });

  it('names the first of two events whose revisions were swapped', async () => {
    const stream = await streamOf(5, 'swapped-revisions');
    const [a, b] = [await row(stream, 1), await row(stream, 2)];
    await swap(`revision`, `position = ?`, [a.position], [b.position], 1, 2);
    // Read in revision order, the event now at revision 1 sits at a later position than revision 2.
    expect((await audit().verifyStream(stream)).broken).toMatchObject({ revision: 1, position: b.position, reason: 'hash-mismatch' });
  });

  it('verifyAll walks every stream in pages and lists each broken stream once, at its first break', async () => {
    const summary = await audit().verifyAll();
    const byReason = summary.broken.map((b) => [b.streamId.split('-').slice(1, -5).join('-'), b.revision, b.reason]);
    expect(byReason.sort()).toEqual(
      [
        ['deleted', 2, 'revision-gap'],
        ['edited', 2, 'hash-mismatch'],
        ['rolled-back', 2, 'head-mismatch'],
        ['swapped-positions', 1, 'hash-mismatch'],
        ['swapped-revisions', 1, 'hash-mismatch'],
        ['truncated', 3, 'head-mismatch'],
      ].sort(),
    );
    expect(summary.brokenStreams).toBe(6);
  });

  it('finds a stream whose events were all deleted', async () => {
    const stream = await streamOf(2, 'emptied');
    await pool.query(`DELETE FROM events WHERE stream_id = ?`, [stream]);
    expect((await audit().verifyStream(stream)).broken).toMatchObject({ revision: 0, position: null, reason: 'head-mismatch' });
    const summary = await audit().verifyAll();
    expect(summary.broken.map((b) => b.streamId)).toContain(stream);
  });
});

/** Swaps one column's values between two rows (through a free value: the column is unique). */
async function swap(column: string, where: string, first: unknown[], second: unknown[], a: number, b: number): Promise<void> {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    const free = column === 'position' ? 1e12 : 1e9;
    await conn.query(`UPDATE events SET ${column} = ? WHERE ${where}`, [free, ...first]);
    const firstNow = column === 'position' ? [free] : [...first];
    await conn.query(`UPDATE events SET ${column} = ? WHERE ${where}`, [a, ...second]);
    await conn.query(`UPDATE events SET ${column} = ? WHERE ${column === 'position' ? 'position = ?' : where}`, [b, ...firstNow]);
    await conn.commit();
  } finally {
    conn.release();
  }
}
