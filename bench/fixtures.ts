import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { TokenService } from '../shared/auth/tokens.js';
import type { EventStore, NewEvent } from '../shared/event-store/port.js';
import { SCHEMA_VERSION, toUtcInstant, type EventId, type UserEvent, type UserId } from '../shared/events/index.js';
import { nameBasedId } from '../shared/ids.js';

/** The same i-th user id in every process of a run (the S1 server registers them, the bench signs tokens). */
export const benchUserId = (run: string, i: number): UserId => nameBasedId('bench-user', run, String(i)) as UserId;

export const metadataFor = (actor: UserId): NewEvent['metadata'] => ({
  eventId: randomUUID() as EventId,
  occurredAt: toUtcInstant(Date.now()),
  actor,
  correlationId: randomUUID(),
  causationId: null,
  schemaVersion: SCHEMA_VERSION,
});

export const registered = (userId: UserId, i: number): UserEvent =>
  ({ type: 'UserRegistered', data: { userId, handle: `bench_${i}_${userId.slice(0, 6)}`, displayName: `Sleeper ${i}`, timezone: 'UTC' } }) as UserEvent;

/** A night of `minutes` ending at `endMs`, as the decider would have recorded it (time zone UTC). */
export const sleptUntil = (userId: UserId, endMs: number, minutes: number): UserEvent => {
  const end = new Date(endMs);
  return {
    type: 'SleepLogged',
    data: {
      userId,
      logId: randomUUID(),
      startedAt: new Date(endMs - minutes * 60_000).toISOString(),
      endedAt: end.toISOString(),
      durationMinutes: minutes,
      timezone: 'UTC',
      wakeDate: end.toISOString().slice(0, 10),
      quality: null,
      note: null,
    },
  } as UserEvent;
};

export const followed = (userId: UserId, followeeId: UserId): UserEvent => ({ type: 'Followed', data: { userId, followeeId } });

export const toNew = (actor: UserId, events: readonly UserEvent[]): NewEvent[] => events.map((e) => ({ type: e.type, data: e.data, metadata: metadataFor(actor) }));

/** Appends to a user's stream, which must be at `expected`; a conflict here is a bug in the bench. */
export const appendTo = async (store: EventStore, userId: UserId, events: readonly UserEvent[], expected: number | 'no_stream'): Promise<void> => {
  const result = await store.append(`user-${userId}`, toNew(userId, events), expected);
  if (E.isLeft(result)) throw new Error(`bench fixture: conflict appending to user-${userId}`);
};

/** Runs `work` for every item with at most `concurrency` at a time. */
export const inParallel = async <A>(items: readonly A[], concurrency: number, work: (item: A, index: number) => Promise<void>): Promise<void> => {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index] as A, index);
      }
    }),
  );
};

export const tokensFor = (tokens: TokenService, userIds: readonly UserId[]): Promise<string[]> =>
  Promise.all(userIds.map((userId) => tokens.issue({ userId, roles: ['user'] }, Math.floor(Date.now() / 1000))));

/**
 * Bodies for POST /v1/sleep-logs that never collide: request k goes to user k mod n, and each user's
 * nights step back two hours at a time from an hour ago (90 minutes asleep), so no two overlap and
 * none is in the future. One generator serves every run against one server, so rounds continue
 * where the last one stopped.
 */
export const sleepLogRequests = (tokens: readonly string[]) => {
  const latestEnd = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
  let k = 0;
  return () => {
    const i = k++;
    const night = Math.floor(i / tokens.length);
    const end = latestEnd - night * 2 * 3_600_000;
    return {
      headers: { authorization: `Bearer ${tokens[i % tokens.length] ?? ''}`, 'content-type': 'application/json' },
      body: JSON.stringify({ startedAt: new Date(end - 90 * 60_000).toISOString(), endedAt: new Date(end).toISOString() }),
    };
  };
};
