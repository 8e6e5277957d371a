import * as E from 'fp-ts/lib/Either.js';
import type { AppendConflict, AppendResult, EventStore, ExpectedRevision, NewEvent, ReadAllOptions, ReadStreamOptions, StoredEvent } from '../shared/event-store/port.js';
import { toUtcInstant } from '../shared/events/index.js';

/**
 * An event store in process memory, for the benchmark only: it takes the store out of S1 so that
 * what is measured is the HTTP, auth, decoding and decision path. It keeps the port's promises
 * (expected revisions, idempotent retries by event id, commit-ordered positions).
 */
export const memoryEventStore = (): EventStore => {
  const streams = new Map<string, StoredEvent[]>();
  const all: StoredEvent[] = [];
  const byEventId = new Map<string, StoredEvent>();

  const append = (stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<E.Either<AppendConflict, AppendResult>> => {
    if (events.length === 0) return Promise.reject(new Error('append needs at least one event'));
    const current = streams.get(stream) ?? [];
    const known = events.map((e) => byEventId.get(e.metadata.eventId));
    if (known.every((k) => k?.metadata.streamId === stream)) {
      const last = known[known.length - 1];
      if (last) return Promise.resolve(E.right({ revision: last.metadata.revision, position: last.metadata.position, duplicate: true }));
    }
    const actual = current.length - 1;
    const ok = expected === 'any' || (expected === 'no_stream' ? current.length === 0 : expected === actual);
    if (!ok) return Promise.resolve(E.left({ code: 'WRONG_EXPECTED_REVISION', stream, expected, actual }));
    const recordedAt = toUtcInstant(Date.now());
    for (const e of events) {
      const stored: StoredEvent = {
        type: e.type,
        data: e.data,
        metadata: { ...e.metadata, streamId: stream, revision: current.length, position: all.length + 1, recordedAt },
      };
      current.push(stored);
      all.push(stored);
      byEventId.set(e.metadata.eventId, stored);
    }
    streams.set(stream, current);
    return Promise.resolve(E.right({ revision: current.length - 1, position: all.length, duplicate: false }));
  };

  const readStream = (stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> => {
    const until = options.untilRecordedAt === undefined ? Infinity : Date.parse(options.untilRecordedAt);
    const from = options.fromRevision ?? 0;
    return Promise.resolve((streams.get(stream) ?? []).filter((e) => e.metadata.revision >= from && Date.parse(e.metadata.recordedAt) <= until));
  };

  const readAll = ({ afterPosition, limit, streamPrefixes }: ReadAllOptions): Promise<StoredEvent[]> => {
    const prefixes = streamPrefixes ?? [];
    const page: StoredEvent[] = [];
    for (let i = afterPosition; i < all.length && page.length < limit; i++) {
      const e = all[i];
      if (e && (prefixes.length === 0 || prefixes.some((p) => e.metadata.streamId.startsWith(p)))) page.push(e);
    }
    return Promise.resolve(page);
  };

  return { append, readStream, readAll, headPosition: () => Promise.resolve(all.length), close: () => Promise.resolve() };
};
