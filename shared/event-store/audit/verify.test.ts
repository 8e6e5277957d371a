import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical.js';
import { eventHash, GENESIS } from './hash.js';
import { verifyAll, verifyStream, type AuditEvent, type AuditRow, type StreamHead } from './verify.js';

const chain = (streamId: string, n: number, firstPosition = 1): AuditEvent[] => {
  const events: AuditEvent[] = [];
  let previous = GENESIS;
  for (let revision = 0; revision < n; revision++) {
    const fields = { streamId, revision, position: firstPosition + revision * 2, type: 'E', data: { revision }, metadata: { eventId: `e${revision}` }, recordedAt: '2026-11-21T10:00:00.000Z' };
    const hash = eventHash(previous, fields);
    events.push({ ...fields, data: JSON.stringify(fields.data), metadata: JSON.stringify(fields.metadata), hash });
    previous = hash;
  }
  return events;
};
async function* iterate<A>(items: readonly A[]): AsyncGenerator<A> {
  for (const item of items) yield await Promise.resolve(item);
}
const headOf = (events: readonly AuditEvent[]): StreamHead => ({ streamId: events[0]!.streamId, revision: events.length - 1, headHash: events[events.length - 1]!.hash });

describe('canonical JSON', () => {
  it('sorts keys at every depth, drops undefined members and has no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: null, y: 'x' }], c: undefined } })).toBe('{"a":{"d":[1,{"y":"x","z":null}]},"b":1}');
  });
  it('gives the same text after a JSON round trip', () => {
    const value = { when: new Date(0), list: [undefined, 1.5], n: -0 };
    expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(canonicalJson(value));
  });
});

describe('verifyStream', () => {
  it('accepts an intact chain and its head', () => {
    const events = chain('user-a', 4);
    expect(verifyStream('user-a', events, headOf(events))).toEqual({ streamId: 'user-a', events: 4, legacy: 0, broken: null });
  });

  it('names the first edited event, not the later ones that chain to it', () => {
    const events = chain('user-a', 4).map((e) => (e.revision === 1 ? { ...e, data: '{"revision":9}' } : e));
    expect(verifyStream('user-a', events, headOf(events)).broken).toMatchObject({ revision: 1, reason: 'hash-mismatch' });
  });

  it('names a gap, positions that go backwards, and a head beyond the events', () => {
    const events = chain('user-a', 4);
    expect(verifyStream('user-a', events.filter((e) => e.revision !== 2), headOf(events)).broken).toMatchObject({ revision: 3, reason: 'revision-gap' });
    const moved = events.map((e) => (e.revision === 2 ? { ...e, position: 1 } : e));
    expect(verifyStream('user-a', moved, headOf(events)).broken).toMatchObject({ revision: 2, reason: 'out-of-order' });
    expect(verifyStream('user-a', events.slice(0, 3), headOf(events)).broken).toMatchObject({ revision: 3, position: null, reason: 'head-mismatch' });
  });

  it('refuses an unhashed event after a hashed one (a legacy prefix only)', () => {
    const events = chain('user-a', 3).map((e) => (e.revision === 2 ? { ...e, hash: null } : e));
    expect(verifyStream('user-a', events, headOf(events)).broken).toMatchObject({ revision: 2, reason: 'hash-missing' });
  });
});

describe('verifyAll', () => {
  it('verifies stream after stream and adds the heads that lost all their events', async () => {
    const a = chain('user-a', 3);
    const b = chain('user-b', 2, 100).map((e) => (e.revision === 1 ? { ...e, type: 'Forged' } : e));
    const rows: AuditRow[] = [...a.map((e) => ({ ...e, head: headOf(a) })), ...b.map((e) => ({ ...e, head: headOf(b) }))];
    const headless: StreamHead[] = [{ streamId: 'user-c', revision: 4, headHash: 'f'.repeat(64) }];
    const summary = await verifyAll(iterate(rows), iterate(headless));
    expect(summary).toMatchObject({ streams: 3, events: 5, brokenStreams: 2 });
    expect(summary.broken.map((x) => [x.streamId, x.revision, x.reason])).toEqual([
      ['user-b', 1, 'hash-mismatch'],
      ['user-c', 0, 'head-mismatch'],
    ]);
  });
});
