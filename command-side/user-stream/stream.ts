import * as E from 'fp-ts/lib/Either.js';
import type { EventStore, StoredEvent } from '../../shared/event-store/port.js';
import { UserEvent, type UserId } from '../../shared/events/index.js';
import { formatDecodeErrors } from '../../shared/validation/format.js';
import { evolve, initialState, type UserState } from './state.js';

export const userStream = (userId: UserId): string => `user-${userId}`;

/** An event in our own store that no longer decodes is a bug or tampering: stop, loudly. */
export const decodeUserEvent = (stored: StoredEvent): UserEvent => {
  const decoded = UserEvent.decode({ type: stored.type, data: stored.data });
  if (E.isLeft(decoded)) {
    const where = `${stored.metadata.streamId}@${stored.metadata.revision}`;
    throw new Error(`stored event ${where} (${stored.type}) does not decode: ${formatDecodeErrors(decoded.left).join('; ')}`);
  }
  return decoded.right;
};

export type LoadedStream = {
  readonly state: UserState;
  /** Revision of the last event, -1 for a stream that does not exist. */
  readonly revision: number;
  readonly lastPosition: number;
};

export const loadUserStream = async (store: EventStore, userId: UserId): Promise<LoadedStream> => {
  const events = await store.readStream(userStream(userId));
  const last = events[events.length - 1];
  return {
    state: events.map(decodeUserEvent).reduce(evolve, initialState),
    revision: last ? last.metadata.revision : -1,
    lastPosition: last ? last.metadata.position : 0,
  };
};
