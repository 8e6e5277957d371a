import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Admin } from 'kafkajs';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../shared/event-store/port.js';
import { createMysqlEventStore } from '../shared/event-store/mysql/store.js';
import { createKafka } from '../shared/kafka/client.js';
import { createPool } from '../shared/mysql/pool.js';
import { cleanUp, eventually, testConfig } from '../shared/testing/environment.js';
import type { UserId } from '../shared/events/index.js';
import { mysqlSettingsOf, prepare } from '../launcher/infrastructure.js';
import { ROLES } from '../launcher/roles.js';
import { buildSystem, type System } from '../launcher/system.js';
import { mysqlCheckpoint } from '../command-side/relay/checkpoint.js';
import { appendUserEvents, userWithNights, waitDrained } from '../test/pipeline-support.js';
import { lockName } from './rebuild/engine.js';
import { shadowDatabase } from './rebuild/tables-target.js';
import { cli, envOf } from './testing.js';

// The whole pipeline runs (HTTP, relay, Kafka, projectors); the CLI inspects and rebuilds its read models.
const config = testConfig('cli_proj');
let system: System;
let pool: mysql.Pool;
let store: EventStore;
let admin: Admin;
const users = Array.from({ length: 12 }, () => randomUUID() as UserId);

const drained = () => waitDrained(admin, config, store, () => mysqlCheckpoint(pool, 'user-events').read());
const json = <A>(line: string | undefined): A => JSON.parse(line ?? 'null') as A;
const count = async (sql: string) => Number((await pool.query<mysql.RowDataPacket[]>(sql))[0][0]?.n);

beforeAll(async () => {
  await prepare(config, () => undefined);
  system = buildSystem(config, ROLES);
  await system.start();
  pool = createPool({ ...mysqlSettingsOf(config), poolSize: 4 });
  store = createMysqlEventStore(pool);
  admin = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'cli-test', topicPrefix: '' }).admin();
  await admin.connect();
  for (const [i, u] of users.entries()) await appendUserEvents(store, u, userWithNights(u, 4, 300 + i));
  await appendUserEvents(store, users[0]!, [{ type: 'Followed', data: { userId: users[0], followeeId: users[1] } }]);
  await appendUserEvents(store, users[2]!, [
    { type: 'Followed', data: { userId: users[2], followeeId: users[1] } },
    { type: 'Unfollowed', data: { userId: users[2], followeeId: users[1] } },
  ]);
  await drained();
}, 120_000);

afterAll(async () => {
  await admin?.disconnect();
  await system?.stop();
  await pool?.end();
  await cleanUp(config);
  const conn = createPool({ ...mysqlSettingsOf(config), database: 'mysql', poolSize: 1 });
  for (const tag of ['rebuild', 'verify']) await conn.query(`DROP DATABASE IF EXISTS \`${shadowDatabase(config.MYSQL_DATABASE, tag)}\``);
  await conn.end();
});

describe('sleepsocial projections', () => {
  it('list and status: every projection, its lag per partition, the relay against the store head, dead letters', async () => {
    expect((await cli(config, 'projections', 'list')).lines.map((l) => l.split(' ')[0])).toEqual(['leaderboards', 'tables', 'feeds']);
    const status = await cli(config, 'projections', 'status', '--json');
    expect(status.code, status.err).toBe(0);
    const body = json<{ relay: { unpublished: number; checkpoint: number }; deadLetters: number; projections: { name: string; lag: number; partitions: unknown[] }[] }>(status.out);
    expect(body.relay.unpublished).toBe(0);
    expect(body.deadLetters).toBe(0);
    expect(body.projections.filter((p) => p.name !== 'feeds').map((p) => [p.name, p.lag, p.partitions.length])).toEqual([
      ['leaderboards', 0, 3],
      ['tables', 0, 3],
    ]);
    expect((await cli(config, 'projections', 'status')).lines[0]).toMatch(/^relay\s+checkpoint \d+, store head \d+: 0 user event\(s\) not yet published/);
  });

  it('verify: a rebuild into a shadow copy has the live model’s checksums', async () => {
    for (const name of ['tables', 'leaderboards', 'feeds']) {
      const verified = await cli(config, 'projections', 'verify', name);
      expect(verified.code, verified.out + verified.err).toBe(0);
      expect(verified.lines.at(-1)).toMatch(/live equals a rebuild/);
      expect(verified.lines.filter((l) => l.includes('DIFFERENT'))).toEqual([]);
    }
  });

  it('verify: names the first difference when the live model was changed by hand', async () => {
    await pool.query(`UPDATE sleep_logs SET duration_minutes = duration_minutes + 1 ORDER BY log_id LIMIT 1`);
    const verified = await cli(config, 'projections', 'verify', 'tables', '--json');
    expect(verified.code).toBe(1);
    const report = json<{ comparison: { differing: number; differences: { where: string }[] } }>(verified.out);
    expect(report.comparison.differing).toBe(1);
    expect(report.comparison.differences[0]?.where).toBe('sleep_logs');
  });

  it('rebuild: swaps a new version in (which repairs the hand edit) and the live projector goes on writing to it', async () => {
    const rebuilt = await cli(config, 'projections', 'rebuild', 'tables', '--json');
    expect(rebuilt.code, rebuilt.err).toBe(0);
    expect(json(rebuilt.lines[0])).toMatchObject({ projection: 'tables', swapped: true, resumedFrom: null });
    expect(rebuilt.err).toMatch(/rebuild tables \[#+\] 100\.0%/);
    const after = await cli(config, 'projections', 'verify', 'tables');
    expect(after.code, after.out).toBe(0);

    const late = randomUUID() as UserId;
    await appendUserEvents(store, late, userWithNights(late, 2));
    await drained();
    expect(await count(`SELECT COUNT(*) AS n FROM sleep_logs WHERE user_id = '${late}'`)).toBe(2);
    expect((await cli(config, 'projections', 'verify', 'tables')).code).toBe(0);

    const boards = await cli(config, 'projections', 'rebuild', 'leaderboards', '--json');
    expect(json(boards.lines[0])).toMatchObject({ projection: 'leaderboards', swapped: true });
    expect((await cli(config, 'projections', 'verify', 'leaderboards')).code).toBe(0);
    // A retraction after the swap undoes the log's scores through the board keys its record
    // names: they must be the live ones, not the shadow's.
    const owner = users[3]!;
    const logged = (await store.readStream(`user-${owner}`)).find((e) => e.type === 'SleepLogged');
    const logId = (logged?.data as { logId: string }).logId;
    await appendUserEvents(store, owner, [{ type: 'SleepLogRetracted', data: { userId: owner, logId } }]);
    await drained();
    const afterRetraction = await cli(config, 'projections', 'verify', 'leaderboards');
    expect(afterRetraction.code, afterRetraction.out).toBe(0);
  });

  it('rebuild --until: the model as of a position or an instant, left beside the live one', async () => {
    const asOf = await store.headPosition();
    await new Promise((r) => setTimeout(r, 20));
    const instant = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const later = randomUUID() as UserId;
    await appendUserEvents(store, later, userWithNights(later, 3));
    const shadow = `\`${shadowDatabase(config.MYSQL_DATABASE, 'rebuild')}\``;
    // Logs recorded up to the position, less those retracted by then.
    const logsUpTo = async (position: number) =>
      count(`SELECT SUM(CASE type WHEN 'SleepLogged' THEN 1 WHEN 'SleepLogRetracted' THEN -1 ELSE 0 END) AS n FROM events WHERE stream_id LIKE 'user-%' AND position <= ${position}`);

    for (const until of [String(asOf), instant]) {
      const run = await cli(config, 'projections', 'rebuild', 'tables', '--until', until, '--json');
      expect(run.code, run.err).toBe(0);
      expect(json(run.lines[0])).toMatchObject({ swapped: false, position: asOf });
      expect(await count(`SELECT COUNT(*) AS n FROM ${shadow}.sleep_logs`)).toBe(await logsUpTo(asOf));
      expect(await count(`SELECT COUNT(*) AS n FROM ${shadow}.sleep_logs WHERE user_id = '${later}'`)).toBe(0);
    }
    await drained();
    expect(await count(`SELECT COUNT(*) AS n FROM sleep_logs WHERE user_id = '${later}'`)).toBe(3);
  });

  it('refuses a second rebuild of a projection while one runs (a MySQL named lock)', async () => {
    const holder = await pool.getConnection();
    try {
      await holder.query(`SELECT GET_LOCK(?, 0)`, [lockName(config.MYSQL_DATABASE, 'tables')]);
      const refused = await cli(config, 'projections', 'rebuild', 'tables');
      expect(refused.code).toBe(75);
      expect(refused.err).toMatch(/another rebuild or verify of tables is running/);
    } finally {
      await holder.query(`SELECT RELEASE_LOCK(?)`, [lockName(config.MYSQL_DATABASE, 'tables')]);
      holder.release();
    }
  });

  it('resumes a rebuild killed part-way (kill -9) from its saved position, and ends equal to the live model', async () => {
    const child = spawn('node', ['bin/sleepsocial.mjs', 'projections', 'rebuild', 'tables', '--page-size', '1', '--window', '1'], { env: envOf(config), stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const reached = await eventually(async () => {
      const [rows] = await pool.query<mysql.RowDataPacket[]>(`SELECT position FROM projection_rebuilds WHERE run = 'tables:rebuild' AND until_spec = ''`);
      const position = Number(rows[0]?.position ?? 0);
      return position > 0 ? position : undefined;
    }, 30_000, 5);
    child.kill('SIGKILL');
    await exited;
    const [saved] = await pool.query<mysql.RowDataPacket[]>(`SELECT position FROM projection_rebuilds WHERE run = 'tables:rebuild'`);
    const killedAt = Number(saved[0]?.position);
    expect(killedAt).toBeGreaterThanOrEqual(reached);
    expect(killedAt).toBeLessThan(await store.headPosition());

    const resumed = await cli(config, 'projections', 'rebuild', 'tables', '--json');
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toMatch(/resuming the interrupted rebuild at position \d+/);
    expect(json(resumed.lines[0])).toMatchObject({ swapped: true, resumedFrom: killedAt });
    await drained();
    expect((await cli(config, 'projections', 'verify', 'tables')).code).toBe(0);
  });
});

describe('sleepsocial dead-letters', () => {
  it('lists dead letters with their origin, and records retry and discard', async () => {
    const producer = system.projectors[0]!.consumer && createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'poison', topicPrefix: '' }).producer();
    await producer.connect();
    await producer.send({ topic: `${config.KAFKA_TOPIC_PREFIX}user-events`, acks: -1, messages: [{ key: 'poison', value: 'not json' }] });
    await producer.disconnect();

    const listed = await eventually(async () => {
      const run = await cli(config, 'dead-letters', 'list', '--json');
      return run.lines.length >= 3 ? run.lines.map((l) => json<{ partition: number; offset: string; projection: string; origin: { topic: string }; error: string; handled: unknown }>(l)) : undefined;
    }, 30_000, 500);
    expect(listed.map((d) => d.projection).sort()).toEqual(['feeds', 'leaderboards', 'tables']);
    expect(listed.every((d) => d.origin.topic === `${config.KAFKA_TOPIC_PREFIX}user-events` && /not JSON/.test(d.error) && d.handled === null)).toBe(true);

    const [first, second] = listed;
    const discarded = await cli(config, 'dead-letters', 'discard', `${first!.partition}:${first!.offset}`, '--note', 'test poison');
    expect(discarded.code, discarded.err).toBe(0);
    const retried = await cli(config, 'dead-letters', 'retry', second!.offset);
    expect(retried.code, retried.err).toBe(0);
    expect(retried.lines[0]).toMatch(/published again to .*user-events\[\d+\]/);

    const open = await cli(config, 'dead-letters', 'list', '--open', '--json');
    expect(open.lines.map((l) => json<{ offset: string }>(l).offset)).not.toContain(first!.offset);
    expect(open.lines.map((l) => json<{ offset: string }>(l).offset)).not.toContain(second!.offset);
    const human = await cli(config, 'dead-letters', 'list');
    expect(human.out).toMatch(/\[discarded\]/);
    expect(human.out).toMatch(/\[retried\]/);
    expect((await cli(config, 'dead-letters', 'retry', '999999')).code).toBe(1);
  });
});
