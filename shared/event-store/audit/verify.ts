import { eventHash, GENESIS } from './hash.js';

/** One event as the store holds it, with `data` and `metadata` still the stored JSON text. */
export type AuditEvent = {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
  /** ISO 8601 UTC with milliseconds. */
  readonly recordedAt: string;
  /** null: written before event-store-002 (a legacy prefix the chain does not cover). */
  readonly hash: string | null;
};

/** The store's running head of a stream: its last revision and the hash of its last event. */
export type StreamHead = { readonly streamId: string; readonly revision: number; readonly headHash: string | null };

export type BreakReason = 'revision-gap' | 'out-of-order' | 'hash-mismatch' | 'hash-missing' | 'head-mismatch';

/** The first place a stream's chain does not hold. `position` is null when no event is there. */
export type Break = {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number | null;
  readonly reason: BreakReason;
  readonly detail: string;
};

export type StreamVerdict = {
  readonly streamId: string;
  readonly events: number;
  /** Events before the first hashed one (written before hashing existed). */
  readonly legacy: number;
  readonly broken: Break | null;
};

const parse = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
};

/**
 * Recomputes one stream's chain event by event, in revision order, keeping only the last hash:
 * constant memory however long the stream. Names the first broken event and stops checking there
 * (everything after a break is unverifiable anyway).
 * - an edited event (data, metadata, type, time): its recomputed hash differs;
 * - a deleted event: the next revision is missing (a gap), or the head is beyond the last event;
 * - reordered events: positions that do not grow with revisions, or hashes that no longer match
 *   the revision and position they were computed with.
 */
export const streamChecker = (streamId: string) => {
  let next = 0;
  let lastPosition = 0;
  let previous = GENESIS;
  let hashed = false;
  let legacy = 0;
  let events = 0;
  let broken: Break | null = null;

  const fail = (e: AuditEvent, reason: BreakReason, detail: string) => {
    broken = { streamId, revision: e.revision, position: e.position, reason, detail };
  };

  const push = (e: AuditEvent): void => {
    events++;
    if (broken) return;
    if (e.revision !== next) {
      return fail(e, 'revision-gap', `expected revision ${next}, found ${e.revision}: ${e.revision > next ? `revision(s) ${next}..${e.revision - 1} are missing` : 'revisions out of order'}`);
    }
    if (e.position <= lastPosition) return fail(e, 'out-of-order', `position ${e.position} is not after position ${lastPosition} of the previous revision`);
    next++;
    lastPosition = e.position;
    if (e.hash === null) {
      if (hashed) return fail(e, 'hash-missing', 'the event has no hash, yet an earlier event of the stream has one');
      legacy++;
      return;
    }
    hashed = true;
    const data = parse(e.data);
    const metadata = parse(e.metadata);
    if (!data.ok || !metadata.ok) return fail(e, 'hash-mismatch', `stored ${data.ok ? 'metadata' : 'data'} is not JSON`);
    const expected = eventHash(previous, { ...e, data: data.value, metadata: metadata.value });
    if (expected !== e.hash) return fail(e, 'hash-mismatch', `stored hash ${e.hash.slice(0, 12)}… but the event hashes to ${expected.slice(0, 12)}… (edited, moved, or chained to a changed event)`);
    previous = e.hash;
  };

  const finish = (head: StreamHead | undefined): StreamVerdict => {
    const verdict = (b: Break | null): StreamVerdict => ({ streamId, events, legacy, broken: b });
    if (broken) return verdict(broken);
    const last = next - 1;
    const missing = (revision: number, detail: string) => verdict({ streamId, revision, position: null, reason: 'head-mismatch', detail });
    if (!head) return missing(last, 'the stream has events but no head');
    if (head.revision > last) return missing(last + 1, `the head is at revision ${head.revision} but the events end at ${last}: revision(s) ${last + 1}..${head.revision} are missing`);
    if (head.revision < last) return missing(head.revision + 1, `the events go on to revision ${last} past the head at revision ${head.revision}`);
    if ((head.headHash ?? GENESIS) !== previous) return missing(last, `the head hash differs from the hash of the last event (revision ${last})`);
    return verdict(null);
  };

  return { push, finish };
};

/** One stream's events (in revision order) against its head. */
export const verifyStream = (streamId: string, events: Iterable<AuditEvent>, head: StreamHead | undefined): StreamVerdict => {
  const checker = streamChecker(streamId);
  for (const e of events) checker.push(e);
  return checker.finish(head);
};

/** An event row joined with its stream's head (null when the stream has no head row). */
export type AuditRow = AuditEvent & { readonly head: StreamHead | null };

export type VerifyAllSummary = {
  readonly streams: number;
  readonly events: number;
  readonly legacy: number;
  readonly brokenStreams: number;
  /** The first broken event of each broken stream, at most `maxReported` of them. */
  readonly broken: readonly Break[];
};

/**
 * Every stream of the store: `rows` in (stream, revision) order — one stream at a time, so memory
 * stays constant — and `headless`, the heads whose stream has no event left at all.
 */
export const verifyAll = async (
  rows: AsyncIterable<AuditRow>,
  headless: AsyncIterable<StreamHead>,
  options: { readonly maxReported?: number; readonly onStream?: (verdict: StreamVerdict) => void } = {},
): Promise<VerifyAllSummary> => {
  const max = options.maxReported ?? 100;
  let streams = 0;
  let events = 0;
  let legacy = 0;
  let brokenStreams = 0;
  const broken: Break[] = [];
  const record = (v: StreamVerdict) => {
    streams++;
    events += v.events;
    legacy += v.legacy;
    if (v.broken) {
      brokenStreams++;
      if (broken.length < max) broken.push(v.broken);
    }
    options.onStream?.(v);
  };
  let current: { streamId: string; head: StreamHead | null; checker: ReturnType<typeof streamChecker> } | undefined;
  for await (const row of rows) {
    if (current?.streamId !== row.streamId) {
      if (current) record(current.checker.finish(current.head ?? undefined));
      current = { streamId: row.streamId, head: row.head, checker: streamChecker(row.streamId) };
    }
    current.checker.push(row);
  }
  if (current) record(current.checker.finish(current.head ?? undefined));
  for await (const head of headless) record(verifyStream(head.streamId, [], head));
  return { streams, events, legacy, brokenStreams, broken };
};
