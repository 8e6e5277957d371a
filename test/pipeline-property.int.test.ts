import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { Redis } from 'ioredis';
import type { Admin } from 'kafkajs';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserCommand } from '../shared/commands/index.js';
import type { EventStore } from '../shared/event-store/port.js';
import { createMysqlEventStore } from '../shared/event-store/mysql/store.js';
import { UserEvent, type LogId, type UserId, type UtcInstant } from '../shared/events/index.js';
import { createKafka } from '../shared/kafka/client.js';
import { createPool } from '../shared/mysql/pool.js';
import { cleanUp, testConfig } from '../shared/testing/environment.js';
import { mysqlCheckpoint } from '../command-side/relay/checkpoint.js';
import { handleUserCommand } from '../command-side/user-stream/handle.js';
import { mysqlSettingsOf, prepare } from '../launcher/infrastructure.js';
import { ROLES } from '../launcher/roles.js';
import { buildSystem, type System } from '../launcher/system.js';
import { expectedBoards } from './oracle.js';
import { redisBoards, waitDrained } from './pipeline-support.js';

// Random interleavings of LogSleep / Correct / Retract / Follow / Unfollow over several users, run
// through the real command handler (several at once), relay, Kafka and projectors. After the
// pipeline drains, every read model must equal a plain fold of the event store.
const config = testConfig('property');
const NOW = Date.parse('2026-11-25T12:00:00.000Z');
let system: System;
let pool: mysql.Pool;
let store: EventStore;
let redis: Redis;
let admin: Admin;
const users = Array.from({ length: 4 }, () => randomUUID() as UserId);
const logsOf = new Map<UserId, LogId[]>(users.map((u) => [u, []]));

type Step =
  | { kind: 'log'; user: number; day: number; startHour: number; minutes: number }
  | { kind: 'correct'; user: number; pick: number; minutes: number }
  | { kind: 'retract'; user: number; pick: number }
  | { kind: 'follow' | 'unfollow'; user: number; other: number };

const user = fc.nat({ max: users.length - 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('log' as const), user, day: fc.integer({ min: 1, max: 24 }), startHour: fc.integer({ min: 18, max: 23 }), minutes: fc.integer({ min: 60, max: 600 }) }),
  fc.record({ kind: fc.constant('correct' as const), user, pick: fc.nat(), minutes: fc.integer({ min: 30, max: 700 }) }),
  fc.record({ kind: fc.constant('retract' as const), user, pick: fc.nat() }),
  fc.record({ kind: fc.constantFrom('follow' as const, 'unfollow' as const), user, other: user }),
);

const iso = (ms: number) => new Date(ms).toISOString() as UtcInstant;
const interval = (day: number, startHour: number, minutes: number) => {
  const start = Date.UTC(2026, 10, day, startHour, 0);
  return { startedAt: iso(start), endedAt: iso(start + minutes * 60_000) };
};

const commandOf = (s: Step): UserCommand | undefined => {
  const me = users[s.user]!;
  const mine = logsOf.get(me)!;
  switch (s.kind) {
    case 'log': {
      const logId = randomUUID() as LogId;
      mine.push(logId);
      return { type: 'LogSleep', data: { logId, ...interval(s.day, s.startHour, s.minutes), quality: null, note: null } };
    }
    case 'correct': {
      const logId = mine[s.pick % Math.max(1, mine.length)];
      return logId && { type: 'CorrectSleepLog', data: { logId, ...interval(1 + (s.pick % 24), 20, s.minutes), quality: null, note: null } };
    }
    case 'retract': {
      const logId = mine[s.pick % Math.max(1, mine.length)];
      return logId && { type: 'RetractSleepLog', data: { logId } };
    }
    case 'follow':
      return { type: 'Follow', data: { followeeId: users[s.other]! } };
    case 'unfollow':
      return { type: 'Unfollow', data: { followeeId: users[s.other]! } };
  }
};

const run = (userIndex: number, command: UserCommand) =>
  handleUserCommand({ store, clock: () => NOW }, { userId: users[userIndex]!, command, commandId: randomUUID(), correlationId: 'property', causationId: null });

/** Follows and live logs by a fold of the store, to compare with the MySQL tables. */
const foldTables = async () => {
  const follows = new Set<string>();
  const logs = new Map<string, number>();
  for (const stored of await store.readAll({ afterPosition: 0, limit: 1_000_000, streamPrefixes: ['user-'] })) {
    const decoded = UserEvent.decode({ type: stored.type, data: stored.data });
    if (E.isLeft(decoded)) continue;
    const e = decoded.right;
    if (e.type === 'Followed') follows.add(`${e.data.userId}>${e.data.followeeId}`);
    if (e.type === 'Unfollowed') follows.delete(`${e.data.userId}>${e.data.followeeId}`);
    if (e.type === 'SleepLogged' || e.type === 'SleepLogCorrected') logs.set(e.data.logId, e.data.durationMinutes);
    if (e.type === 'SleepLogRetracted') logs.delete(e.data.logId);
  }
  return { follows: [...follows].sort(), logs: Object.fromEntries([...logs].sort(([a], [b]) => a.localeCompare(b))) };
};
const readTables = async () => {
  const [f] = await pool.query<mysql.RowDataPacket[]>(`SELECT follower_id, followee_id FROM follows`);
  const [l] = await pool.query<mysql.RowDataPacket[]>(`SELECT log_id, duration_minutes FROM sleep_logs ORDER BY log_id`);
  return {
    follows: f.map((r) => `${String(r.follower_id)}>${String(r.followee_id)}`).sort(),
    logs: Object.fromEntries(l.map((r) => [String(r.log_id), Number(r.duration_minutes)])),
  };
};
const sorted = (boards: Map<string, Map<string, number>>) =>
  Object.fromEntries([...boards].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, Object.fromEntries([...v].sort(([a], [b]) => a.localeCompare(b)))]));

beforeAll(async () => {
  await prepare(config, () => undefined);
  system = buildSystem(config, ROLES);
  await system.start();
  pool = createPool({ ...mysqlSettingsOf(config), poolSize: 8 });
  store = createMysqlEventStore(pool);
  redis = new Redis(config.REDIS_URL);
  admin = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'property-test', topicPrefix: '' }).admin();
  await admin.connect();
  for (const [i, id] of users.entries()) {
    const registered = await run(i, { type: 'RegisterUser', data: { userId: id, handle: `prop_${i}_${id.slice(0, 6)}`, displayName: `P${i}`, timezone: 'Europe/Berlin' } as never });
    expect(E.isRight(registered)).toBe(true);
  }
});
afterAll(async () => {
  await system?.stop();
  await admin?.disconnect();
  redis?.disconnect();
  await pool?.end();
  await cleanUp(config);
});

describe('the pipeline, property-based', { timeout: 180_000 }, () => {
  it('ends with read models equal to a fold of the event history, whatever the interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 4, maxLength: 30 }), fc.integer({ min: 1, max: 4 }), async (steps, parallel) => {
        // Several commands at once: appends of different users interleave in the store and Kafka.
        for (let i = 0; i < steps.length; i += parallel) {
          await Promise.all(
            steps.slice(i, i + parallel).map(async (s) => {
              const command = commandOf(s);
              if (command) await run(s.user, command); // refusals (overlaps, self-follow) are part of the game
            }),
          );
        }
        await waitDrained(admin, config, store, () => mysqlCheckpoint(pool, 'user-events').read(), 30_000);
        expect(sorted(await redisBoards(redis, config.REDIS_KEY_PREFIX))).toEqual(sorted(await expectedBoards(store, config.REDIS_KEY_PREFIX)));
        expect(await readTables()).toEqual(await foldTables());
      }),
      { numRuns: 8, endOnFailure: true },
    );
  });
});
