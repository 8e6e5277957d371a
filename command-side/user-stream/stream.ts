import * as E from 'fp-ts/lib/Either.js';
import type { EventStore, StoredEvent } from '../../shared/event-store/port.js';
import { UserEvent, type UserId } from '../../shared/events/index.js';
import { formatDecodeErrors } from '../../shared/validation/format.js';
import { evolve, initialState, type UserState } from './state.js';
import { setNewest } from '../../shared/bounded-map.js';

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

/** Recently loaded streams, so a command reads and decodes only the events it has not seen. */
export type StreamCache = {
  get(userId: UserId): LoadedStream | undefined;
  set(userId: UserId, loaded: LoadedStream): void;
};

/**
 * A bounded least-recently-used cache. Events are immutable and states are never mutated, so a
 * cached state plus the events after its revision is exactly the state a full fold would give;
 * writes by other processes are picked up by that read.
 */
export const lruStreamCache = (maxStreams: number): StreamCache => {
  const entries = new Map<UserId, LoadedStream>();
  return {
    get: (userId) => {
      const hit = entries.get(userId);
      if (hit) {
        entries.delete(userId);
        entries.set(userId, hit);
      }
      return hit;
    },
    set: (userId, loaded) => {
      setNewest(entries, userId, loaded, maxStreams);
    },
  };
};

export const loadUserStream = async (store: EventStore, userId: UserId, cache?: StreamCache): Promise<LoadedStream> => {
  const cached = cache?.get(userId);
  const events = await store.readStream(userStream(userId), cached ? { fromRevision: cached.revision + 1 } : {});
  const last = events[events.length - 1];
  const loaded: LoadedStream = {
    state: events.map(decodeUserEvent).reduce(evolve, cached?.state ?? initialState),
    revision: last ? last.metadata.revision : (cached?.revision ?? -1),
    lastPosition: last ? last.metadata.position : (cached?.lastPosition ?? 0),
  };
  if (loaded.revision >= 0) cache?.set(userId, loaded);
  return loaded;
};
