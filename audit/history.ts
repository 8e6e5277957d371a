import type { EventStore, StoredEvent } from '../shared/event-store/port.js';
import type { UserId, UtcInstant } from '../shared/events/index.js';
import { userStreamOf } from './users.js';

export type HistoryFilter = {
  /** Recorded at or after (the store's recording time, which the hash chain covers). */
  readonly from?: UtcInstant;
  /** Recorded at or before. */
  readonly to?: UtcInstant;
  readonly type?: string;
};

/** One event of a user's history, as an auditor reads it: what happened, when, by whom, and where it sits. */
export type HistoryEntry = {
  readonly revision: number;
  readonly position: number;
  readonly type: string;
  readonly recordedAt: string;
  readonly occurredAt: string;
  readonly actor: string;
  readonly eventId: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly data: unknown;
};

export const toHistoryEntry = (e: StoredEvent): HistoryEntry => ({
  revision: e.metadata.revision,
  position: e.metadata.position,
  type: e.type,
  recordedAt: e.metadata.recordedAt,
  occurredAt: e.metadata.occurredAt,
  actor: e.metadata.actor,
  eventId: e.metadata.eventId,
  correlationId: e.metadata.correlationId,
  causationId: e.metadata.causationId,
  data: e.data,
});

/** A user's stream, filtered by recording time and type; works with either store adapter. */
export const userHistory = async (store: EventStore, userId: UserId, filter: HistoryFilter): Promise<HistoryEntry[]> => {
  const events = await store.readStream(userStreamOf(userId), filter.to ? { untilRecordedAt: filter.to } : {});
  return events
    .filter((e) => (!filter.from || e.metadata.recordedAt >= filter.from) && (!filter.type || e.type === filter.type))
    .map(toHistoryEntry);
};
