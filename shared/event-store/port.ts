import type * as E from 'fp-ts/lib/Either.js';
import type { EventMetadata, WriteMetadata } from '../events/index.js';

/** `'no_stream'`: the stream must not exist yet; a number: the revision of its last event. */
export type ExpectedRevision = 'any' | 'no_stream' | number;

/** An event on its way in: the domain event (type + data) and the writer's metadata. */
export type NewEvent = { readonly type: string; readonly data: unknown; readonly metadata: WriteMetadata };

/** An event as the store holds it. `data` is still undecoded: every reader decodes with the codecs. */
export type StoredEvent = { readonly type: string; readonly data: unknown; readonly metadata: EventMetadata };

export type AppendResult = {
  /** Revision of the stream's last event after the append. */
  readonly revision: number;
  /** Global position of the last appended event: a read-your-writes token for the query side. */
  readonly position: number;
  /** True when every event id was already stored: a retried append that changed nothing. */
  readonly duplicate: boolean;
};

export type AppendConflict = {
  readonly code: 'WRONG_EXPECTED_REVISION';
  readonly stream: string;
  readonly expected: ExpectedRevision;
  /** The stream's current revision, or -1 when it does not exist. */
  readonly actual: number;
};

export type ReadStreamOptions = {
  readonly fromRevision?: number;
  /** Only events recorded at or before this instant (ISO 8601): "the stream as it stood then". */
  readonly untilRecordedAt?: string;
};

export type ReadAllOptions = {
  /** Exclusive: events with a greater position. 0 reads from the start. */
  readonly afterPosition: number;
  readonly limit: number;
  /** Only streams whose id starts with one of these prefixes (e.g. `user-`). */
  readonly streamPrefixes?: readonly string[];
};

/**
 * The event store port. Both adapters (MySQL/MariaDB, EventStoreDB) pass the same contract tests.
 * Positions are handed out in commit order, so a reader polling `afterPosition` never skips an event.
 */
export interface EventStore {
  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<E.Either<AppendConflict, AppendResult>>;
  readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  readAll(options: ReadAllOptions): Promise<StoredEvent[]>;
  /** Position of the last committed event (0 when empty). */
  headPosition(): Promise<number>;
  close(): Promise<void>;
}
