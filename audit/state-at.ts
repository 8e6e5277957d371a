import type { EventStore } from '../shared/event-store/port.js';
import type { UserId } from '../shared/events/index.js';
// The fold is the command side's own: an auditor sees the state exactly as decisions saw it.
import { evolve, initialState, type UserState } from '../command-side/user-stream/state.js';
import { decodeUserEvent } from '../command-side/user-stream/stream.js';
import type { At } from './instants.js';
import { userStreamOf } from './users.js';

export type StateAt = {
  readonly userId: UserId;
  /** The revision and position of the last event folded, -1 / 0 when none was recorded by then. */
  readonly revision: number;
  readonly position: number;
  readonly recordedAt: string | null;
  readonly state: unknown;
};

/** UserState as JSON: maps become objects keyed by log id, sets sorted arrays, instants ISO. */
export const stateJson = (state: UserState): unknown => {
  if (state.status !== 'registered') return state;
  return {
    status: state.status,
    userId: state.userId,
    handle: state.handle,
    displayName: state.displayName,
    timezone: state.timezone,
    registeredAs: state.registeredAs,
    following: [...state.following].sort(),
    logs: Object.fromEntries(
      [...state.logs].map(([logId, log]) => [
        logId,
        { startedAt: new Date(log.startedAt).toISOString(), endedAt: new Date(log.endedAt).toISOString(), wakeDate: log.wakeDate, timezone: log.timezone, retracted: log.retracted },
      ]),
    ),
  };
};

/** The user's state as it stood at a revision or an instant (recording time), by folding the stream. */
export const userStateAt = async (store: EventStore, userId: UserId, at: At): Promise<StateAt> => {
  const events = await store.readStream(userStreamOf(userId), 'time' in at ? { untilRecordedAt: at.time } : {});
  const upTo = 'revision' in at ? events.filter((e) => e.metadata.revision <= at.revision) : events;
  const last = upTo[upTo.length - 1];
  return {
    userId,
    revision: last?.metadata.revision ?? -1,
    position: last?.metadata.position ?? 0,
    recordedAt: last?.metadata.recordedAt ?? null,
    state: stateJson(upTo.map(decodeUserEvent).reduce(evolve, initialState)),
  };
};
