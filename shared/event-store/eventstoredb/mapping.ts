import * as E from 'fp-ts/lib/Either.js';
import {
  ANY,
  BACKWARDS,
  END,
  jsonEvent,
  NO_STREAM,
  START,
  type AppendExpectedRevision,
  type CurrentRevision,
  type EventData,
  type JSONType,
  type Position,
  type ReadPosition,
  type ReadStreamOptions as ClientReadStreamOptions,
} from '@eventstore/db-client';
import { toUtcInstant, WriteMetadata } from '../../events/index.js';
import { formatDecodeErrors } from '../../validation/format.js';
import type { AppendResult, ExpectedRevision, NewEvent, ReadAllOptions, StoredEvent } from '../port.js';

/*
 * Which of EventStoreDB's two numbers is the port's `position`.
 *
 * $all addresses an event by a (commit, prepare) pair of transaction-log offsets. Every append made
 * through gRPC (and every implicit write since server v5) is stored as one self-committing prepare
 * record per event (PrepareFlags.IsCommitted), and $all reports each of those events at
 * (its own log offset, its own log offset): commit == prepare, distinct for every event, even for
 * the events of one multi-event append. So the commit position alone is unique and increasing, and
 * it is the port's `position`. (Prepare would be no safer: early 20.x gRPC servers reported the
 * prepare of every event in a batch as the batch's first offset, while commit stayed per event.)
 * The log has a single writer and $all serves only what is indexed, so a later position never
 * becomes visible before an earlier one: a reader polling `afterPosition` does not skip an event.
 *
 * The exception is legacy explicit transactions (TCP client StartTransaction, never offered over
 * gRPC): their events share the commit position of their commit record and have lower prepare
 * positions. There neither number alone is a total order — prepare is unique but out of $all order,
 * commit is in order but shared. We keep commit (never out of order); within one `readAll` call we
 * page with the full pair so nothing is skipped, but a reader whose checkpoint falls inside such a
 * transaction would skip its remaining events on the next call. A store written only through this
 * adapter has no such transactions.
 *
 * Positions and revisions are bigints (uint64 on the wire); the port carries JS numbers. Log offsets
 * are bytes, so Number() stays exact up to 2^53 bytes (8 PiB) of log; beyond that we throw rather
 * than hand out a rounded, ambiguous position.
 */

/** A recorded event as the client delivers it (`RecordedEvent`/`AllStreamRecordedEvent`), structurally. */
export type Recorded = {
  readonly streamId: string;
  readonly id: string;
  readonly revision: bigint;
  readonly type: string;
  readonly created: Date;
  readonly isJson: boolean;
  readonly data: unknown;
  readonly metadata: unknown;
  /** Always present on $all reads; on stream reads only from server 22.6 on. */
  readonly position?: Position | undefined;
};

export const toExpectedRevision = (expected: ExpectedRevision): AppendExpectedRevision => {
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'any') return ANY;
  return BigInt(expected);
};

/** `WrongExpectedVersionError.actualVersion`: 'no_stream' (or nothing) when the stream does not exist. */
export const toActualRevision = (actual: CurrentRevision | undefined): number =>
  actual === undefined || actual === NO_STREAM || actual < 0n ? -1 : toSafeNumber(actual, 'stream revision');

export const toSafeNumber = (value: bigint, what: string): number => {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new Error(`EventStoreDB ${what} ${value.toString()} does not fit a JS number exactly (0..2^53-1)`);
  }
  return Number(value);
};

/**
 * The port's number for an event's position. A missing position, or the 0 / 2^64-1 that servers
 * older than 22.6 leave in stream reads, is an error: guessing would break read-your-writes.
 */
export const positionNumber = (event: Pick<Recorded, 'position' | 'streamId' | 'revision'>): number => {
  const commit = event.position?.commit;
  if (commit === undefined || commit <= 0n || commit >= 2n ** 63n) {
    throw new Error(
      `EventStoreDB did not report the $all position of ${event.streamId}@${event.revision.toString()} (stream reads carry it from server 22.6 on)`,
    );
  }
  return toSafeNumber(commit, 'commit position');
};

/** The client's JSON events take an object, an array or a string; our event data are objects. */
const isJsonData = (data: unknown): data is JSONType => typeof data === 'string' || (typeof data === 'object' && data !== null);

export const toEventData = (event: NewEvent): EventData => {
  if (!isJsonData(event.data)) {
    throw new Error(`event ${event.metadata.eventId} (${event.type}): EventStoreDB JSON events need an object, array or string as data`);
  }
  return jsonEvent({ id: event.metadata.eventId, type: event.type, data: event.data, metadata: event.metadata });
};

/** Decodes the envelope like the MySQL rows; `data` stays undecoded for the reader's codecs. */
export const toStoredEvent = (event: Recorded): StoredEvent => {
  const where = `${event.streamId}@${event.revision.toString()}`;
  if (!event.isJson) throw new Error(`event ${event.id} at ${where} is not JSON: this store reads only JSON events`);
  const metadata = WriteMetadata.decode(event.metadata);
  if (E.isLeft(metadata)) {
    throw new Error(`event ${event.id} at ${where} has invalid metadata: ${formatDecodeErrors(metadata.left).join('; ')}`);
  }
  return {
    type: event.type,
    data: event.data,
    metadata: {
      ...metadata.right,
      streamId: event.streamId,
      revision: toSafeNumber(event.revision, 'stream revision'),
      position: positionNumber(event),
      recordedAt: toUtcInstant(event.created.getTime()),
    },
  };
};

/** `created` is a Date with millisecond precision (the server's 100 ns ticks, truncated). */
export const recordedBy = (event: Pick<Recorded, 'created'>, untilRecordedAt: string | undefined): boolean =>
  untilRecordedAt === undefined || event.created.getTime() <= Date.parse(untilRecordedAt);

/** System streams (`$stats-…`, `$$…` metadata) and system or link events (`$metadata`, `$>`) are not ours. */
export const isVisible = (event: Pick<Recorded, 'streamId' | 'type'>, prefixes: readonly string[]): boolean =>
  !event.type.startsWith('$') &&
  !event.streamId.startsWith('$') &&
  (prefixes.length === 0 || prefixes.some((p) => event.streamId.startsWith(p)));

export const comparePositions = (a: Position, b: Position): number =>
  a.commit === b.commit ? Number(a.prepare - b.prepare) : a.commit < b.commit ? -1 : 1;

/** The port's exclusive `afterPosition` as a pair: commit == prepare for every gRPC-written event. */
export const positionPair = (afterPosition: number): Position => ({ commit: BigInt(afterPosition), prepare: BigInt(afterPosition) });

/**
 * One forward $all page: skips what is not after `cursor` (the read is inclusive, and a page resumes at
 * the last event it saw), keeps the visible events up to `room`, and moves the cursor over every event
 * examined, visible or not, so that the next page starts after them.
 */
export const pickAfter = (
  page: readonly Recorded[],
  cursor: Position,
  prefixes: readonly string[],
  room: number,
): { readonly picked: Recorded[]; readonly cursor: Position } => {
  const picked: Recorded[] = [];
  let at = cursor;
  for (const event of page) {
    if (picked.length >= room) break;
    if (event.position === undefined || comparePositions(event.position, at) <= 0) continue;
    at = event.position;
    if (isVisible(event, prefixes)) picked.push(event);
  }
  return { picked, cursor: at };
};

/** Reads one page of $all: forwards from a position inclusive, backwards from one exclusive. */
export type ReadAllPage = (from: ReadPosition, maxCount: number) => Promise<Recorded[]>;

/** Smallest page: a filtered read may have to step over many system or other-prefix events. */
export const MIN_PAGE = 256;

/**
 * The port's `readAll` over plain forward $all pages. This client (6.x) has no server-side filter on
 * `readAll` (only `subscribeToAll` takes one), so prefixes and system events are filtered here, and
 * pages are read until `limit` events are found or $all ends (a page shorter than asked for).
 */
export const readAllAfter = async (readForwards: ReadAllPage, { afterPosition, limit, streamPrefixes }: ReadAllOptions): Promise<Recorded[]> => {
  const prefixes = streamPrefixes ?? [];
  const pageSize = Math.max(limit + 1, MIN_PAGE);
  const found: Recorded[] = [];
  let cursor = positionPair(afterPosition);
  let from: ReadPosition = afterPosition === 0 ? START : cursor;
  while (found.length < limit) {
    const page = await readForwards(from, pageSize);
    const step = pickAfter(page, cursor, prefixes, limit - found.length);
    found.push(...step.picked);
    if (page.length < pageSize) break;
    if (comparePositions(step.cursor, cursor) <= 0) throw new Error(`EventStoreDB $all read did not advance past ${cursor.commit.toString()}`);
    cursor = step.cursor;
    from = cursor;
  }
  return found;
};

/** The last visible event of $all, reading backwards page by page past system events. */
export const lastVisible = async (readBackwards: ReadAllPage, pageSize = MIN_PAGE): Promise<Recorded | undefined> => {
  let cursor: Position | undefined;
  for (;;) {
    const page = await readBackwards(cursor ?? END, pageSize);
    const before = cursor;
    for (const event of page) {
      // A backwards read from a position excludes it; skipping what is not before the cursor keeps that so.
      if (event.position === undefined || (cursor !== undefined && comparePositions(event.position, cursor) >= 0)) continue;
      cursor = event.position;
      if (isVisible(event, [])) return event;
    }
    if (page.length < pageSize) return undefined;
    if (cursor === before) throw new Error('EventStoreDB $all backwards read did not advance');
  }
};

/**
 * A retried append: its event ids, in order, already in the stream. `recorded` is the part of the
 * stream where the retry would have landed, oldest first. Returns what the first append returned.
 */
export const findRetry = (recorded: readonly Recorded[], ids: readonly string[]): AppendResult | undefined => {
  // The server prints UUIDs in lower case, and so do we; compare case-insensitively all the same.
  const same = (event: Recorded | undefined, id: string | undefined) => event !== undefined && event.id.toLowerCase() === id?.toLowerCase();
  const start = recorded.findIndex((e) => same(e, ids[0]));
  if (ids.length === 0 || start < 0 || start + ids.length > recorded.length) return undefined;
  if (!ids.every((id, i) => same(recorded[start + i], id))) return undefined;
  const last = recorded[start + ids.length - 1]!;
  return { revision: toSafeNumber(last.revision, 'stream revision'), position: positionNumber(last), duplicate: true };
};

/**
 * How far back a retry with expected revision 'any' is looked for: its events could be anywhere in
 * the stream, and reading whole streams on every append is not affordable.
 */
export const ANY_RETRY_WINDOW = 500;

/** The part of the stream where an earlier copy of this append would be (read it oldest first, or reverse). */
export const retryRange = (expected: ExpectedRevision, count: number): ClientReadStreamOptions => {
  if (expected === 'any') return { fromRevision: END, direction: BACKWARDS, maxCount: ANY_RETRY_WINDOW };
  return { fromRevision: expected === 'no_stream' ? 0n : BigInt(expected + 1), maxCount: count };
};
