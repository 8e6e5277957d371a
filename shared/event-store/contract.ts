import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from './port.js';
import { newEvent } from '../testing/events.js';

/**
 * The behaviour every event store adapter must have. Each adapter's test file calls this with a
 * factory for a fresh, empty store.
 */
export const eventStoreContract = (adapter: string, open: () => Promise<{ store: EventStore; dispose: () => Promise<void> }>) => {
  describe(`event store contract: ${adapter}`, () => {
    let store: EventStore;
    let dispose: () => Promise<void>;
    const stream = (name: string) => `user-${name}-${randomUUID()}`;

    beforeAll(async () => {
      ({ store, dispose } = await open());
    });
    afterAll(async () => {
      await dispose();
    });

    it('appends to a new stream with revisions from 0 and increasing positions', async () => {
      const s = stream('new');
      const result = await store.append(s, [newEvent('A'), newEvent('B')], 'no_stream');
      expect(E.isRight(result) && result.right.revision).toBe(1);
      const events = await store.readStream(s);
      expect(events.map((e) => [e.type, e.metadata.revision])).toEqual([['A', 0], ['B', 1]]);
      const [a, b] = events;
      expect(b!.metadata.position).toBeGreaterThan(a!.metadata.position);
      expect(E.isRight(result) && result.right.position).toBe(b!.metadata.position);
    });

    it('keeps every piece of metadata', async () => {
      const s = stream('meta');
      const event = newEvent('A', { nested: { x: [1, 'two'] } });
      await store.append(s, [event], 'no_stream');
      const [read] = await store.readStream(s);
      expect(read!.data).toEqual({ nested: { x: [1, 'two'] } });
      expect(read!.metadata).toMatchObject({ ...event.metadata, streamId: s, revision: 0 });
      expect(read!.metadata.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    });

    it('refuses "no stream" when the stream exists, and appends nothing', async () => {
      const s = stream('exists');
      await store.append(s, [newEvent('A')], 'no_stream');
      const again = await store.append(s, [newEvent('B')], 'no_stream');
      expect(again).toEqual(E.left({ code: 'WRONG_EXPECTED_REVISION', stream: s, expected: 'no_stream', actual: 0 }));
      expect((await store.readStream(s)).map((e) => e.type)).toEqual(['A']);
    });

    it('appends at the expected revision and refuses a stale one', async () => {
      const s = stream('expected');
      await store.append(s, [newEvent('A')], 'no_stream');
      expect(E.isRight(await store.append(s, [newEvent('B')], 0))).toBe(true);
      const stale = await store.append(s, [newEvent('C')], 0);
      expect(stale).toEqual(E.left({ code: 'WRONG_EXPECTED_REVISION', stream: s, expected: 0, actual: 1 }));
      const missing = await store.append(stream('missing'), [newEvent('C')], 3);
      expect(E.isLeft(missing) && missing.left.actual).toBe(-1);
      expect((await store.readStream(s)).map((e) => e.type)).toEqual(['A', 'B']);
    });

    it('appends with "any" to new and existing streams', async () => {
      const s = stream('any');
      expect(E.isRight(await store.append(s, [newEvent('A')], 'any'))).toBe(true);
      const second = await store.append(s, [newEvent('B')], 'any');
      expect(E.isRight(second) && second.right.revision).toBe(1);
    });

    it('recognises a retried append by its event ids and writes nothing twice', async () => {
      const s = stream('retry');
      const events = [newEvent('A'), newEvent('B')];
      const first = await store.append(s, events, 'no_stream');
      const retry = await store.append(s, events, 'no_stream');
      expect(E.isRight(first) && E.isRight(retry)).toBe(true);
      if (E.isRight(first) && E.isRight(retry)) {
        expect(retry.right).toEqual({ ...first.right, duplicate: true });
      }
      expect(await store.readStream(s)).toHaveLength(2);
    });

    it('lets exactly one of several concurrent writers at the same revision win', async () => {
      const s = stream('race');
      await store.append(s, [newEvent('A')], 'no_stream');
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.append(s, [newEvent(`W${i}`)], 0)));
      expect(results.filter(E.isRight)).toHaveLength(1);
      expect(await store.readStream(s)).toHaveLength(2);
    });

    it('reads a stream from a revision', async () => {
      const s = stream('from');
      await store.append(s, [newEvent('A'), newEvent('B'), newEvent('C')], 'no_stream');
      expect((await store.readStream(s, { fromRevision: 1 })).map((e) => e.type)).toEqual(['B', 'C']);
      expect(await store.readStream(stream('none'))).toEqual([]);
    });

    it('reads a stream as it stood at a time', async () => {
      const s = stream('until');
      await store.append(s, [newEvent('A')], 'no_stream');
      const [a] = await store.readStream(s);
      await new Promise((r) => setTimeout(r, 20));
      await store.append(s, [newEvent('B')], 0);
      expect((await store.readStream(s, { untilRecordedAt: a!.metadata.recordedAt })).map((e) => e.type)).toEqual(['A']);
    });

    it('reads all streams in global order, in pages, filtered by stream prefix', async () => {
      const from = await store.headPosition();
      const tag = randomUUID();
      await store.append(`user-${tag}-1`, [newEvent('A')], 'no_stream');
      await store.append(`other-${tag}`, [newEvent('X')], 'no_stream');
      await store.append(`user-${tag}-2`, [newEvent('B')], 'no_stream');
      await store.append(`user-${tag}-1`, [newEvent('C')], 0);

      const all = await store.readAll({ afterPosition: from, limit: 100 });
      const ours = all.filter((e) => e.metadata.streamId.includes(tag));
      expect(ours.map((e) => e.type)).toEqual(['A', 'X', 'B', 'C']);
      const positions = ours.map((e) => e.metadata.position);
      expect([...positions].sort((x, y) => x - y)).toEqual(positions);

      const users = await store.readAll({ afterPosition: from, limit: 100, streamPrefixes: [`user-${tag}`] });
      expect(users.map((e) => e.type)).toEqual(['A', 'B', 'C']);
      const page = await store.readAll({ afterPosition: from, limit: 2, streamPrefixes: [`user-${tag}`] });
      expect(page.map((e) => e.type)).toEqual(['A', 'B']);
      const next = await store.readAll({ afterPosition: page[1]!.metadata.position, limit: 2, streamPrefixes: [`user-${tag}`] });
      expect(next.map((e) => e.type)).toEqual(['C']);
      expect(await store.headPosition()).toBeGreaterThanOrEqual(positions[positions.length - 1]!);
    });
  });
};
