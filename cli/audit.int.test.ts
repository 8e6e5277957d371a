import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../shared/event-store/port.js';
import { createMysqlEventStore } from '../shared/event-store/mysql/store.js';
import { eventStoreSchema } from '../shared/event-store/mysql/schema.js';
import { migrate } from '../shared/mysql/migrate.js';
import { createPool, ensureDatabase } from '../shared/mysql/pool.js';
import { cleanUp, testConfig } from '../shared/testing/environment.js';
import { mysqlSettingsOf } from '../launcher/infrastructure.js';
import { appendUserEvents, userWithNights } from '../test/pipeline-support.js';
import { claimHandle } from '../command-side/register-user/handle-claim.js';
import type { Handle, UserId } from '../shared/events/index.js';
import { cli, envOf } from './testing.js';

const config = testConfig('cli_audit');
const alice = randomUUID() as UserId;
const bob = randomUUID() as UserId;
let pool: mysql.Pool;
let store: EventStore;

beforeAll(async () => {
  await ensureDatabase(mysqlSettingsOf(config));
  pool = createPool(mysqlSettingsOf(config));
  await migrate(pool, eventStoreSchema);
  store = createMysqlEventStore(pool);
  await claimHandle(store, 'alice_a' as Handle, alice, { commandId: randomUUID(), correlationId: 'c', now: Date.now() });
  await appendUserEvents(store, alice, userWithNights(alice, 3));
  await appendUserEvents(store, bob, userWithNights(bob, 2));
});
afterAll(async () => {
  await pool?.end();
  await cleanUp(config);
});

describe('sleepsocial audit', () => {
  it('history: by handle or id, for people and as JSON Lines, filtered by type and time', async () => {
    const human = await cli(config, 'audit', 'history', 'Alice_A');
    expect(human.code, human.err).toBe(0);
    expect(human.lines[0]).toBe(`user-${alice}: 4 event(s)`);
    expect(human.lines.slice(2).map((l) => l.split(/\s+/)[4])).toEqual(['UserRegistered', 'SleepLogged', 'SleepLogged', 'SleepLogged']);

    const json = await cli(config, 'audit', 'history', alice, '--json', '--type', 'SleepLogged', '--from', '2000-01-01');
    const entries = json.lines.map((l) => JSON.parse(l) as { userId: string; revision: number; type: string });
    expect(entries.map((e) => [e.userId, e.revision, e.type])).toEqual([1, 2, 3].map((r) => [alice, r, 'SleepLogged']));
    expect((await cli(config, 'audit', 'history', alice, '--json', '--to', '2000-01-01')).lines).toEqual([]);
  });

  it('history refuses an unknown user and a bad option, with a message and a non-zero exit', async () => {
    const unknown = await cli(config, 'audit', 'history', 'nobody_here');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/no user "nobody_here"/);
    const badType = await cli(config, 'audit', 'history', alice, '--type', 'Nope');
    expect(badType.code).not.toBe(0);
    expect(badType.err).toMatch(/Allowed choices are/);
  });

  it('state: the fold as of a revision or an instant', async () => {
    const at1 = await cli(config, 'audit', 'state', alice, '--at', '1', '--json');
    expect(at1.code, at1.err).toBe(0);
    const state = JSON.parse(at1.out) as { revision: number; state: { status: string; logs: Record<string, unknown> } };
    expect(state.revision).toBe(1);
    expect(Object.keys(state.state.logs)).toHaveLength(1);
    const before = await cli(config, 'audit', 'state', alice, '--at', '2001-01-01T00:00:00Z');
    expect(before.lines[0]).toMatch(/nothing recorded by then/);
    expect((await cli(config, 'audit', 'state', alice, '--at', 'someday')).code).not.toBe(0);
  });

  it('export: every event as one JSON line with its hash, from a position on', async () => {
    const all = await cli(config, 'audit', 'export');
    expect(all.code, all.err).toBe(0);
    const events = all.lines.map((l) => JSON.parse(l) as { position: number; streamId: string; hash: string; data: unknown; metadata: { eventId: string } });
    expect(events.map((e) => e.position)).toEqual(Array.from({ length: 8 }, (_, i) => i + 1));
    expect(events.every((e) => /^[0-9a-f]{64}$/.test(e.hash) && typeof e.metadata.eventId === 'string')).toBe(true);
    expect(all.err).toMatch(/exported 8 event\(s\)/);
    const tail = await cli(config, 'audit', 'export', '--from-position', '6');
    expect(tail.lines.map((l) => (JSON.parse(l) as { position: number }).position)).toEqual([7, 8]);
  });

  it('heads: stream, revision and head hash of every stream', async () => {
    const heads = await cli(config, 'audit', 'heads', '--json');
    const rows = heads.lines.map((l) => JSON.parse(l) as { stream: string; revision: number; headHash: string });
    expect(rows.map((r) => [r.stream, r.revision]).sort()).toEqual([[`handle-alice_a`, 0], [`user-${alice}`, 3], [`user-${bob}`, 2]].sort());
  });

  it('verify: exit 0 when intact; exit 1 naming the first broken event once a row is edited', async () => {
    const clean = await cli(config, 'audit', 'verify', '--all');
    expect(clean.code, clean.out + clean.err).toBe(0);
    expect(clean.lines.at(-1)).toMatch(/^intact: 3 stream\(s\), 8 event\(s\), 0 broken/);
    expect((await cli(config, 'audit', 'verify', 'alice_a')).lines[0]).toMatch(/^intact: user-/);

    await pool.query(`UPDATE events SET data = REPLACE(data, '"durationMinutes":400', '"durationMinutes":700') WHERE stream_id = ?`, [`user-${bob}`]);
    const broken = await cli(config, 'audit', 'verify', '--all');
    expect(broken.code).toBe(1);
    expect(broken.lines[0]).toMatch(new RegExp(`^BROKEN user-${bob} at revision 1 \\(position \\d+\\): hash-mismatch`));
    const one = await cli(config, 'audit', 'verify', bob, '--json');
    expect(one.code).toBe(1);
    expect(JSON.parse(one.out)).toMatchObject({ intact: false, broken: { streamId: `user-${bob}`, revision: 1, reason: 'hash-mismatch' } });
    expect((await cli(config, 'audit', 'verify')).code).toBe(2);
  });

  it('runs as the installed `sleepsocial` command (bin/sleepsocial.mjs), with --help on every command and its exit code', async () => {
    const run = promisify(execFile);
    const help = await run('node', ['bin/sleepsocial.mjs', 'audit', 'export', '--help'], { env: envOf(config) });
    expect(help.stdout).toMatch(/--from-position <n>/);
    const failed = await run('node', ['bin/sleepsocial.mjs', 'audit', 'verify', bob], { env: envOf(config) }).catch((e: { code: number; stdout: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stdout: string }).stdout).toMatch(/^BROKEN/);
  });
});
