import { randomUUID } from 'node:crypto';
import { ANY, BACKWARDS, END, NO_STREAM, START, type Position, type ReadPosition } from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { newEvent } from '../../testing/events.js';
import {
  ANY_RETRY_WINDOW,
  comparePositions,
  findRetry,
  isVisible,
  lastVisible,
  MIN_PAGE,
  pickAfter,
  positionNumber,
  readAllAfter,
  recordedBy,
  retryRange,
  toActualRevision,
  toEventData,
  toExpectedRevision,
  toSafeNumber,
  toStoredEvent,
  type ReadAllPage,
  type Recorded,
} from './mapping.js';

const pair = (n: number): Position => ({ commit: BigInt(n), prepare: BigInt(n) });

/** A recorded event as the client would hand it over, built by hand. */
const recorded = (position: number, streamId = 'user-1', type = 'A', revision = 0, id: string = randomUUID()): Recorded => ({
  streamId,
  id,
  revision: BigInt(revision),
  type,
  created: new Date('2026-11-21T10:00:01.234Z'),
  isJson: true,
  data: { n: position },
  metadata: newEvent(type, {}, id).metadata,
  position: pair(position),
});

/** $all in memory, read the way the server reads it: forwards inclusive, backwards exclusive. */
const fakeAll = (log: readonly Recorded[]) => {
  const reads: ReadPosition[] = [];
  const after = (from: ReadPosition, e: Recorded, inclusive: boolean) =>
    typeof from === 'string' || comparePositions(e.position!, from) > (inclusive ? -1 : 0);
  const forwards: ReadAllPage = (from, maxCount) => {
    reads.push(from);
    return Promise.resolve(log.filter((e) => from !== END && after(from, e, true)).slice(0, maxCount));
  };
  const backwards: ReadAllPage = (from, maxCount) => {
    reads.push(from);
    return Promise.resolve(log.filter((e) => typeof from === 'string' || comparePositions(e.position!, from) < 0).reverse().slice(0, maxCount));
  };
  return { forwards, backwards, reads };
};

describe('EventStoreDB mapping: revisions and positions', () => {
  it('maps the expected revision to the client constants or a bigint', () => {
    expect(toExpectedRevision('no_stream')).toBe(NO_STREAM);
    expect(toExpectedRevision('any')).toBe(ANY);
    expect(toExpectedRevision(0)).toBe(0n);
    expect(toExpectedRevision(41)).toBe(41n);
  });

  it('maps the actual revision of a refused append, a missing stream being -1', () => {
    expect(toActualRevision(NO_STREAM)).toBe(-1);
    expect(toActualRevision(undefined)).toBe(-1);
    expect(toActualRevision(-1n)).toBe(-1);
    expect(toActualRevision(0n)).toBe(0);
    expect(toActualRevision(7n)).toBe(7);
  });

  it('refuses to round a bigint beyond 2^53', () => {
    expect(toSafeNumber(2n ** 53n - 1n, 'x')).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => toSafeNumber(2n ** 53n, 'commit position')).toThrow(/commit position 9007199254740992/);
  });

  it('takes the commit position, and refuses a missing one or the placeholder of older servers', () => {
    expect(positionNumber(recorded(1234))).toBe(1234);
    const where = { streamId: 'user-1', revision: 3n };
    expect(() => positionNumber({ ...where, position: undefined })).toThrow(/user-1@3.*22\.6/);
    expect(() => positionNumber({ ...where, position: pair(0) })).toThrow(/did not report/);
    expect(() => positionNumber({ ...where, position: { commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n } })).toThrow(/did not report/);
  });

  it('orders positions by commit, then prepare', () => {
    expect(comparePositions(pair(5), pair(5))).toBe(0);
    expect(comparePositions(pair(4), pair(5))).toBeLessThan(0);
    expect(comparePositions({ commit: 9n, prepare: 3n }, { commit: 9n, prepare: 2n })).toBeGreaterThan(0);
    expect(comparePositions({ commit: 10n, prepare: 1n }, { commit: 9n, prepare: 8n })).toBeGreaterThan(0);
  });
});

describe('EventStoreDB mapping: events in and out', () => {
  it('writes a JSON event with our event id and the write metadata as its metadata', () => {
    const event = newEvent('SleepLogged', { hours: 8 });
    expect(toEventData(event)).toEqual({
      id: event.metadata.eventId,
      contentType: 'application/json',
      type: 'SleepLogged',
      data: { hours: 8 },
      metadata: event.metadata,
    });
  });

  it('refuses data the client cannot send as a JSON event', () => {
    expect(() => toEventData(newEvent('A', 42))).toThrow(/object, array or string/);
    expect(() => toEventData(newEvent('A', null))).toThrow(/object, array or string/);
  });

  it('turns a recorded event into a stored event with every piece of metadata', () => {
    const write = newEvent('SleepLogged', { nested: { x: [1, 'two'] } });
    const event: Recorded = {
      streamId: 'user-abc',
      id: write.metadata.eventId,
      revision: 2n,
      type: 'SleepLogged',
      created: new Date(Date.UTC(2026, 10, 21, 10, 0, 1, 5)),
      isJson: true,
      data: { nested: { x: [1, 'two'] } },
      metadata: { ...write.metadata, $correlationId: 'added by a projection' },
      position: pair(9_000_123),
    };
    expect(toStoredEvent(event)).toEqual({
      type: 'SleepLogged',
      data: { nested: { x: [1, 'two'] } },
      metadata: { ...write.metadata, streamId: 'user-abc', revision: 2, position: 9_000_123, recordedAt: '2026-11-21T10:00:01.005Z' },
    });
  });

  it('names the event and the field when the metadata is invalid', () => {
    const event = { ...recorded(10, 'user-x', 'A', 4), metadata: { ...newEvent().metadata, actor: 'nobody' } };
    expect(() => toStoredEvent(event)).toThrow(/user-x@4 has invalid metadata: \/actor/);
    expect(() => toStoredEvent({ ...event, metadata: undefined })).toThrow(/invalid metadata/);
  });

  it('refuses an event that is not JSON', () => {
    expect(() => toStoredEvent({ ...recorded(10), isJson: false, data: new Uint8Array([1]) })).toThrow(/not JSON/);
  });

  it('keeps events recorded at or before an instant', () => {
    const event = recorded(1); // created 10:00:01.234
    expect(recordedBy(event, undefined)).toBe(true);
    expect(recordedBy(event, '2026-11-21T10:00:01.234Z')).toBe(true);
    expect(recordedBy(event, '2026-11-21T10:00:01.233Z')).toBe(false);
  });
});

describe('EventStoreDB mapping: reading $all', () => {
  it('hides system streams and system or link events, and filters by stream prefix', () => {
    expect(isVisible({ streamId: 'user-1', type: 'A' }, [])).toBe(true);
    expect(isVisible({ streamId: '$stats-127.0.0.1:2113', type: '$statsCollected' }, [])).toBe(false);
    expect(isVisible({ streamId: '$$user-1', type: '$metadata' }, [])).toBe(false);
    expect(isVisible({ streamId: '$ce-user', type: '$>' }, ['$ce-'])).toBe(false);
    expect(isVisible({ streamId: 'user-1', type: 'A' }, ['handle-', 'user-'])).toBe(true);
    expect(isVisible({ streamId: 'other-1', type: 'A' }, ['user-'])).toBe(false);
  });

  it('skips what is not after the cursor and moves the cursor over hidden events', () => {
    const page = [recorded(10), recorded(20, '$stats', '$statsCollected'), recorded(30, 'other'), recorded(40), recorded(50)];
    const step = pickAfter(page, pair(10), ['user-'], 10);
    expect(step.picked.map((e) => positionNumber(e))).toEqual([40, 50]);
    expect(step.cursor).toEqual(pair(50));
    const full = pickAfter(page, pair(10), [], 1);
    expect(full.picked.map((e) => positionNumber(e))).toEqual([30]);
  });

  it('reads after a position, exclusive, up to the limit', async () => {
    const log = [recorded(100), recorded(200), recorded(300), recorded(400)];
    const all = fakeAll(log);
    expect((await readAllAfter(all.forwards, { afterPosition: 0, limit: 10 })).map((e) => positionNumber(e))).toEqual([100, 200, 300, 400]);
    expect((await readAllAfter(all.forwards, { afterPosition: 200, limit: 10 })).map((e) => positionNumber(e))).toEqual([300, 400]);
    expect((await readAllAfter(all.forwards, { afterPosition: 100, limit: 2 })).map((e) => positionNumber(e))).toEqual([200, 300]);
    expect(await readAllAfter(all.forwards, { afterPosition: 400, limit: 10 })).toEqual([]);
    expect(await readAllAfter(all.forwards, { afterPosition: 0, limit: 0 })).toEqual([]);
    expect(all.reads[0]).toBe(START);
    expect(all.reads[1]).toEqual(pair(200));
  });

  it('pages past more hidden events than one page holds, without skipping or repeating', async () => {
    const noise = Array.from({ length: MIN_PAGE * 2 + 7 }, (_, i) => recorded(1000 + i, '$stats', '$statsCollected'));
    const others = Array.from({ length: 50 }, (_, i) => recorded(5000 + i, 'other-x'));
    const log = [recorded(10), ...noise, recorded(4000, 'user-2'), ...others, recorded(6000, 'user-3'), recorded(6001, 'user-3', 'B', 1)];
    const all = fakeAll(log);
    const users = await readAllAfter(all.forwards, { afterPosition: 10, limit: 100, streamPrefixes: ['user-'] });
    expect(users.map((e) => positionNumber(e))).toEqual([4000, 6000, 6001]);
    expect(all.reads.length).toBeGreaterThan(2);

    // A reader polling page by page, checkpointing the last position it saw, sees each event once.
    const seen: number[] = [];
    let checkpoint = 0;
    for (;;) {
      const page = await readAllAfter(all.forwards, { afterPosition: checkpoint, limit: 2 });
      if (page.length === 0) break;
      seen.push(...page.map((e) => positionNumber(e)));
      checkpoint = seen[seen.length - 1]!;
    }
    expect(seen).toEqual(log.filter((e) => isVisible(e, [])).map((e) => positionNumber(e)));
  });

  it('finds the head: the last event that is not a system event', async () => {
    const trailing = Array.from({ length: 20 }, (_, i) => recorded(900 + i, '$stats', '$statsCollected'));
    const all = fakeAll([recorded(100), recorded(200, 'other-1'), ...trailing]);
    const head = await lastVisible(all.backwards, 8);
    expect(head && positionNumber(head)).toBe(200);
    expect(all.reads.length).toBe(3);
    expect(await lastVisible(fakeAll(trailing).backwards, 8)).toBeUndefined();
    expect(await lastVisible(fakeAll([]).backwards)).toBeUndefined();
  });
});

describe('EventStoreDB mapping: retried appends', () => {
  const stream = (n: number) => Array.from({ length: n }, (_, i) => recorded(100 * (i + 1), 'user-1', 'A', i));

  it('recognises the ids of a retried append and answers with the original last event', () => {
    const events = stream(5);
    const ids = [events[1]!.id, events[2]!.id];
    expect(findRetry(events.slice(1, 3), ids)).toEqual({ revision: 2, position: 300, duplicate: true });
    expect(findRetry(events, ids.map((id) => id.toUpperCase()))).toEqual({ revision: 2, position: 300, duplicate: true });
  });

  it('does not mistake a partial, reordered or absent match for a retry', () => {
    const events = stream(3);
    expect(findRetry(events, [events[2]!.id, randomUUID()])).toBeUndefined();
    expect(findRetry(events, [events[1]!.id, events[0]!.id])).toBeUndefined();
    expect(findRetry(events, [randomUUID()])).toBeUndefined();
    expect(findRetry([], [randomUUID()])).toBeUndefined();
    expect(findRetry(events, [])).toBeUndefined();
  });

  it('looks for a retry where it would have landed', () => {
    expect(retryRange('no_stream', 2)).toEqual({ fromRevision: 0n, maxCount: 2 });
    expect(retryRange(4, 3)).toEqual({ fromRevision: 5n, maxCount: 3 });
    expect(retryRange('any', 1)).toEqual({ fromRevision: END, direction: BACKWARDS, maxCount: ANY_RETRY_WINDOW });
  });
});
