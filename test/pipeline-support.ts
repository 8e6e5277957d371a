import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { Redis } from 'ioredis';
import type { Admin } from 'kafkajs';
import * as E from 'fp-ts/lib/Either.js';
import type { Config } from '../shared/config/index.js';
import type { EventStore } from '../shared/event-store/port.js';
import { SCHEMA_VERSION, type EventId, type UserEvent, type UtcInstant } from '../shared/events/index.js';
import { consumerLag } from '../shared/kafka/lag.js';
import { eventually } from '../shared/testing/environment.js';

/**
 * Appends already-decided user events straight to the store, as the command side would.
 * `occurredAt` may give each event its own time (a test clock).
 */
export const appendUserEvents = async (
  store: EventStore,
  userId: string,
  events: readonly { type: string; data: unknown }[],
  occurredAt: () => string = () => '2026-11-21T08:00:00.000Z',
): Promise<void> => {
  const stream = `user-${userId}`;
  const existing = await store.readStream(stream);
  const result = await store.append(
    stream,
    events.map((e) => ({
      ...e,
      metadata: {
        eventId: randomUUID() as EventId,
        occurredAt: occurredAt() as UtcInstant,
        actor: userId as never,
        correlationId: 'pipeline-test',
        causationId: null,
        schemaVersion: SCHEMA_VERSION,
      },
    })),
    existing.length === 0 ? 'no_stream' : existing.length - 1,
  );
  if (E.isLeft(result)) throw new Error(`append conflict on ${stream}`);
};

/** A registered user with `nights` consecutive nights, each `minutes + i` long, waking in November. */
export const userWithNights = (userId: string, nights: number, minutes = 400): UserEvent[] => {
  const events: UserEvent[] = [
    { type: 'UserRegistered', data: { userId, handle: `u_${userId.slice(0, 8)}`, displayName: 'Sleeper', timezone: 'UTC' } as never },
  ];
  for (let i = 0; i < nights; i++) {
    const end = Date.parse('2026-11-01T07:00:00.000Z') + i * 86_400_000;
    const length = minutes + i;
    events.push({
      type: 'SleepLogged',
      data: {
        userId,
        logId: randomUUID(),
        startedAt: new Date(end - length * 60_000).toISOString(),
        endedAt: new Date(end).toISOString(),
        durationMinutes: length,
        timezone: 'UTC',
        wakeDate: new Date(end).toISOString().slice(0, 10),
        quality: null,
        note: null,
      } as never,
    });
  }
  return events;
};

/** Every global board in Redis under the prefix: key → user → minutes. */
export const redisBoards = async (redis: Redis, prefix: string): Promise<Map<string, Map<string, number>>> => {
  const boards = new Map<string, Map<string, number>>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}lb:global:*`, 'COUNT', 1000);
    for (const key of keys) {
      const flat = await redis.zrange(key, 0, -1, 'WITHSCORES');
      const board = new Map<string, number>();
      for (let i = 0; i + 1 < flat.length; i += 2) board.set(flat[i] ?? '', Number(flat[i + 1]));
      boards.set(key, board);
    }
    cursor = next;
  } while (cursor !== '0');
  return boards;
};

export const projectorGroups = (config: Config): string[] => ['leaderboards', 'feeds', 'tables'].map((p) => `${config.PROJECTOR_GROUP_PREFIX}.${p}`);

/** Waits until the relay published up to the store's head and every projector group has no lag. */
export const waitDrained = async (admin: Admin, config: Config, store: EventStore, relayCheckpoint: () => Promise<number>, timeoutMs = 60_000): Promise<void> => {
  const topic = `${config.KAFKA_TOPIC_PREFIX}user-events`;
  await eventually(
    async () => {
      const [lastUserEvent] = (await store.readAll({ afterPosition: 0, limit: 1_000_000, streamPrefixes: ['user-'] })).slice(-1);
      if ((await relayCheckpoint()) < (lastUserEvent?.metadata.position ?? 0)) return undefined;
      for (const group of projectorGroups(config)) {
        const lag = await consumerLag(admin, group, topic);
        if (lag.some((p) => p.lag > 0 || p.committed < 0 && p.high > 0)) return undefined;
      }
      return true;
    },
    timeoutMs,
    200,
  );
};

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
