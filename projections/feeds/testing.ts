import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  SCHEMA_VERSION,
  toUtcInstant,
  type CalendarDate,
  type DisplayName,
  type EventId,
  type Handle,
  type LogId,
  type Quality,
  type Recorded,
  type TimeZone,
  type UserEvent,
  type UserId,
} from '../../shared/events/index.js';
import type { ProjectionItem } from '../runtime/projector.js';

/**
 * Near real time, on a whole minute: item keys expire by Redis' own clock, so tests stay close to
 * it, a little ahead, so that a log right at the retention boundary has not expired yet.
 */
export const NOW = Math.ceil(Date.now() / 60_000) * 60_000 + 60_000;
export const HOUR = 3_600_000;

export const newUserId = (): UserId => randomUUID() as UserId;
export const newLogId = (): LogId => randomUUID() as LogId;

export type LogFacts = { readonly endedAt: number; readonly minutes?: number; readonly quality?: number | null };

/**
 * Writes user streams as the store would record them: revisions per stream from 0, one global
 * position, full metadata. Each method returns the item the runtime would hand to `apply`; `all`
 * holds every one in the store's global order.
 */
export const eventLog = (clock: () => number = () => NOW) => {
  const revisions = new Map<UserId, number>();
  const all: ProjectionItem[] = [];
  let position = 0;

  const metadataFor = (userId: UserId) => {
    const revision = revisions.get(userId) ?? 0;
    revisions.set(userId, revision + 1);
    position += 1;
    const at = toUtcInstant(clock());
    return {
      eventId: randomUUID() as EventId,
      occurredAt: at,
      actor: userId,
      correlationId: `test-${position}`,
      causationId: null,
      schemaVersion: SCHEMA_VERSION,
      streamId: `user-${userId}`,
      revision,
      position,
      recordedAt: at,
    };
  };
  const record = (userId: UserId, event: UserEvent): ProjectionItem => {
    const item: ProjectionItem = { kind: 'event', event: { ...event, metadata: metadataFor(userId) } as Recorded<UserEvent> };
    all.push(item);
    return item;
  };
  const facts = (userId: UserId, logId: LogId, f: LogFacts) => {
    const minutes = f.minutes ?? 480;
    return {
      userId,
      logId,
      startedAt: toUtcInstant(f.endedAt - minutes * 60_000),
      endedAt: toUtcInstant(f.endedAt),
      durationMinutes: minutes,
      timezone: 'Europe/Berlin' as TimeZone,
      wakeDate: toUtcInstant(f.endedAt).slice(0, 10) as CalendarDate,
      quality: (f.quality === undefined ? 4 : f.quality) as Quality | null,
      note: null,
    };
  };

  return {
    all,
    registered: (userId: UserId = newUserId()): ProjectionItem =>
      record(userId, {
        type: 'UserRegistered',
        data: { userId, handle: `u_${userId.slice(0, 8)}` as Handle, displayName: 'Sleeper' as DisplayName, timezone: 'Europe/Berlin' as TimeZone },
      }),
    profileUpdated: (userId: UserId): ProjectionItem =>
      record(userId, { type: 'ProfileUpdated', data: { userId, displayName: 'Renamed' as DisplayName, timezone: 'Europe/Berlin' as TimeZone } }),
    logged: (userId: UserId, logId: LogId, f: LogFacts): ProjectionItem => record(userId, { type: 'SleepLogged', data: facts(userId, logId, f) }),
    corrected: (userId: UserId, logId: LogId, f: LogFacts): ProjectionItem => record(userId, { type: 'SleepLogCorrected', data: facts(userId, logId, f) }),
    retracted: (userId: UserId, logId: LogId): ProjectionItem => record(userId, { type: 'SleepLogRetracted', data: { userId, logId } }),
    followed: (userId: UserId, followeeId: UserId): ProjectionItem => record(userId, { type: 'Followed', data: { userId, followeeId } }),
    unfollowed: (userId: UserId, followeeId: UserId): ProjectionItem => record(userId, { type: 'Unfollowed', data: { userId, followeeId } }),
    /** A revision whose event did not decode (it went to the dead-letter topic). */
    skipped: (userId: UserId): ProjectionItem => {
      const item: ProjectionItem = { kind: 'skip', metadata: metadataFor(userId) };
      all.push(item);
      return item;
    },
  };
};
export type EventLog = ReturnType<typeof eventLog>;

export const recordedEvents = (items: readonly ProjectionItem[]): Recorded<UserEvent>[] =>
  items.flatMap((i) => (i.kind === 'event' ? [i.event] : []));

const keysUnder = async (redis: Redis, prefix: string): Promise<string[]> => {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found.sort();
};

/** Every key under the prefix with its value, for "nothing changed" comparisons. */
export const dumpKeys = async (redis: Redis, prefix: string): Promise<Record<string, unknown>> => {
  const dump: Record<string, unknown> = {};
  for (const key of await keysUnder(redis, prefix)) {
    const type = await redis.type(key);
    if (type === 'string') dump[key] = await redis.get(key);
    else if (type === 'zset') dump[key] = await redis.zrange(key, 0, -1, 'WITHSCORES');
    else if (type === 'hash') dump[key] = await redis.hgetall(key);
    else dump[key] = `(${type})`;
  }
  return dump;
};

export const deleteKeys = async (redis: Redis, prefix: string): Promise<void> => {
  const keys = await keysUnder(redis, prefix);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
};

export const testPrefix = (name: string): string => `sstest:${name}_${randomUUID().slice(0, 8)}:`;
