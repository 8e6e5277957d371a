import * as E from 'fp-ts/lib/Either.js';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AppendResult as ClientAppendResult,
  type ReadStreamOptions as ClientReadStreamOptions,
} from '@eventstore/db-client';
import type { AppendConflict, AppendResult, EventStore, ExpectedRevision, NewEvent, ReadAllOptions, ReadStreamOptions, StoredEvent } from '../port.js';
import {
  findRetry,
  lastVisible,
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

/** A client for `esdb://…` / `kurrentdb://…` connection strings; the store disposes it on close. */
export const connectEventStoreDb = (connectionString: string): EventStoreDBClient => EventStoreDBClient.connectionString(connectionString);

/**
 * The event store port over EventStoreDB/KurrentDB. Positions are $all commit positions (see
 * mapping.ts for why commit and not prepare). Reading `$all` needs a user allowed to (admin by default).
 */
export const createEventStoreDbStore = (client: EventStoreDBClient): EventStore => {
  /** A stream's recorded events; a stream that does not exist is an empty one. */
  const readRecorded = async (stream: string, options: ClientReadStreamOptions): Promise<Recorded[]> => {
    const recorded: Recorded[] = [];
    try {
      for await (const resolved of client.readStream(stream, options)) if (resolved.event) recorded.push(resolved.event);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return recorded;
  };

  const readAllPage =
    (direction: typeof FORWARDS | typeof BACKWARDS): ReadAllPage =>
    async (fromPosition, maxCount) => {
      const recorded: Recorded[] = [];
      for await (const resolved of client.readAll({ fromPosition, maxCount, direction })) if (resolved.event) recorded.push(resolved.event);
      return recorded;
    };

  /*
   * Idempotence. EventStoreDB itself answers a retried append (same event ids at the same expected
   * revision) with success and the original revision, so its answer cannot tell a retry from a
   * first write: `nextExpectedRevision` is the same either way. We therefore look first where an
   * earlier copy of this append would be — the `count` events after the expected revision (from
   * revision 0 for 'no_stream'), or the last ANY_RETRY_WINDOW events for 'any' — and when all its
   * ids are there, in order, answer with the original last event's revision and position without
   * writing. This costs one read per append (an empty one for a first write). It also covers what
   * the server refuses, e.g. a retry with 'no_stream' after the stream moved on; and a refused
   * append is checked again in case an identical append landed between our look and our write.
   * (Should the server instead accept that race as its own idempotent retry, we answer
   * duplicate: false: both callers still see success and nothing is written twice.)
   */
  const earlierCopy = async (stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult | undefined> => {
    const range = retryRange(expected, events.length);
    const recorded = await readRecorded(stream, range);
    if (range.direction === BACKWARDS) recorded.reverse();
    return findRetry(recorded, events.map((e) => e.metadata.eventId));
  };

  const currentRevision = async (stream: string): Promise<number> => {
    const [last] = await readRecorded(stream, { fromRevision: END, direction: BACKWARDS, maxCount: 1 });
    return last ? toSafeNumber(last.revision, 'stream revision') : -1;
  };

  const refused = async (
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
    actual: () => Promise<number>,
  ): Promise<E.Either<AppendConflict, AppendResult>> => {
    const earlier = await earlierCopy(stream, events, expected);
    if (earlier) return E.right(earlier);
    return E.left({ code: 'WRONG_EXPECTED_REVISION', stream, expected, actual: await actual() });
  };

  /**
   * The server acknowledges an append at the log position of its last event, so the response's
   * commit position is that event's $all position. Should a server leave it out, read the event back.
   */
  const appendedPosition = async (stream: string, result: ClientAppendResult): Promise<number> => {
    if (result.position) return toSafeNumber(result.position.commit, 'commit position');
    const [last] = await readRecorded(stream, { fromRevision: result.nextExpectedRevision, maxCount: 1 });
    if (!last) throw new Error(`EventStoreDB reported an append to ${stream} at revision ${result.nextExpectedRevision.toString()} that cannot be read`);
    return positionNumber(last);
  };

  const append = async (stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<E.Either<AppendConflict, AppendResult>> => {
    if (events.length === 0) throw new Error('append needs at least one event');
    const earlier = await earlierCopy(stream, events, expected);
    if (earlier) return E.right(earlier);
    let result: ClientAppendResult;
    try {
      result = await client.appendToStream(stream, events.map(toEventData), { expectedRevision: toExpectedRevision(expected) });
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      const actual = toActualRevision(error.actualVersion);
      return refused(stream, events, expected, () => Promise.resolve(actual));
    }
    // A client built with throwOnAppendFailure=false answers a conflict with success: false; its
    // nextExpectedRevision is then unreliable (the batch-append path reports 1 for any revision),
    // so the current revision is read instead.
    if (!result.success) return refused(stream, events, expected, () => currentRevision(stream));
    const revision = toSafeNumber(result.nextExpectedRevision, 'stream revision');
    return E.right({ revision, position: await appendedPosition(stream, result), duplicate: false });
  };

  const readStream = async (stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> => {
    const recorded = await readRecorded(stream, { fromRevision: BigInt(options.fromRevision ?? 0), direction: FORWARDS });
    return recorded.filter((e) => recordedBy(e, options.untilRecordedAt)).map(toStoredEvent);
  };

  const readAll = async (options: ReadAllOptions): Promise<StoredEvent[]> =>
    (await readAllAfter(readAllPage(FORWARDS), options)).map(toStoredEvent);

  const headPosition = async (): Promise<number> => {
    const last = await lastVisible(readAllPage(BACKWARDS));
    return last ? positionNumber(last) : 0;
  };

  return { append, readStream, readAll, headPosition, close: () => client.dispose() };
};
