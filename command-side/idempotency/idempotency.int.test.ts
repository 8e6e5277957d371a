import { mysqlSettingsOf } from '../../shared/mysql/settings.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type mysql from 'mysql2/promise';
import { createTokenService } from '../../shared/auth/tokens.js';
import type { EventStore } from '../../shared/event-store/port.js';
import { createMysqlEventStore } from '../../shared/event-store/mysql/store.js';
import { eventStoreMigrations } from '../../shared/event-store/mysql/schema.js';
import { buildHttpApp } from '../../shared/http/app.js';
import { migrate } from '../../shared/mysql/migrate.js';
import { createPool, ensureDatabase } from '../../shared/mysql/pool.js';
import { cleanUp, testConfig } from '../../shared/testing/environment.js';
import { commandRoutes } from '../routes.js';
import { idempotencyMigrations } from './schema.js';
import { mysqlIdempotencyStore } from './store.js';

const config = testConfig('idempotency');
// One clock for the app and its tokens: expiry must not depend on when the suite runs.
const clock = () => Date.parse('2026-11-21T12:00:00Z');
const tokens = createTokenService({ secret: config.JWT_SECRET, issuer: 'sleepsocial', audience: 'sleepsocial-api', ttlSeconds: 900 }, clock);
let pool: mysql.Pool;

/** The store can be slowed down or made to fail, to reach the concurrent and 5xx cases. */
const control = { delayMs: 0, failNext: false };
const instrumented = (store: EventStore): EventStore => ({
  ...store,
  append: async (...args) => {
    if (control.failNext) {
      control.failNext = false;
      throw new Error('simulated outage');
    }
    if (control.delayMs > 0) await new Promise((r) => setTimeout(r, control.delayMs));
    return store.append(...args);
  },
});

const buildApp = (): FastifyInstance => {
  const app = buildHttpApp({ readiness: [] });
  const store = instrumented(createMysqlEventStore(pool));
  commandRoutes({ store, clock, ids: () => crypto.randomUUID(), tokens, idempotency: mysqlIdempotencyStore(pool) })(app);
  return app;
};

let app: FastifyInstance;
beforeAll(async () => {
  const settings = mysqlSettingsOf(config, 10);
  await ensureDatabase(settings);
  pool = createPool(settings);
  await migrate(pool, [{ id: 'event-store-001', statements: eventStoreMigrations }, ...idempotencyMigrations]);
  app = buildApp();
});
afterAll(async () => {
  await app.close();
  await pool.end();
  await cleanUp(config);
});

let handles = 0;
const register = async (): Promise<{ userId: string; token: string }> => {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/users',
    payload: { handle: `idem_user_${++handles}`, displayName: 'I', timezone: 'UTC', password: 'long enough password' },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
};

const night = (day: number) => ({ startedAt: `2026-11-${String(day).padStart(2, '0')}T22:00:00Z`, endedAt: `2026-11-${String(day + 1).padStart(2, '0')}T06:00:00Z` });
const logSleep = (target: FastifyInstance, token: string, key: string, body: object) =>
  target.inject({ method: 'POST', url: '/v1/sleep-logs', headers: { authorization: `Bearer ${token}`, 'idempotency-key': key }, payload: body });
const streamLength = async (userId: string) => {
  const [rows] = await pool.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM events WHERE stream_id = ?`, [`user-${userId}`]);
  return Number(rows[0]?.n);
};

describe('Idempotency-Key', () => {
  it('replays the first answer for a repeat and appends nothing', async () => {
    const { userId, token } = await register();
    const first = await logSleep(app, token, 'k-1', night(1));
    const again = await logSleep(app, token, 'k-1', { endedAt: night(1).endedAt, startedAt: night(1).startedAt }); // same body, other key order
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await streamLength(userId)).toBe(2);
  });

  it('refuses the same key with a different request (422) and appends nothing', async () => {
    const { userId, token } = await register();
    await logSleep(app, token, 'k-2', night(3));
    const other = await logSleep(app, token, 'k-2', night(5));
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await streamLength(userId)).toBe(2);
  });

  it('answers 409 to a duplicate sent while the first is still running', async () => {
    const { userId, token } = await register();
    control.delayMs = 400;
    try {
      const [a, b] = await Promise.all([
        logSleep(app, token, 'k-3', night(7)),
        new Promise((r) => setTimeout(r, 100)).then(() => logSleep(app, token, 'k-3', night(7))),
      ]);
      expect([a.statusCode, b.statusCode]).toEqual([201, 409]);
      expect(b.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_USE' });
    } finally {
      control.delayMs = 0;
    }
    expect(await streamLength(userId)).toBe(2);
  });

  it('scopes keys to the user: the same key from two users is two requests', async () => {
    const alice = await register();
    const bob = await register();
    expect((await logSleep(app, alice.token, 'shared-key', night(9))).statusCode).toBe(201);
    const bobs = await logSleep(app, bob.token, 'shared-key', night(9));
    expect(bobs.statusCode).toBe(201);
    expect(bobs.headers['idempotent-replayed']).toBeUndefined();
    expect(await streamLength(bob.userId)).toBe(2);
  });

  it('keeps answers across a restart of the API', async () => {
    const { userId, token } = await register();
    const first = await logSleep(app, token, 'k-4', night(11));
    const restarted = buildApp();
    try {
      const again = await logSleep(restarted, token, 'k-4', night(11));
      expect(again.body).toBe(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
    } finally {
      await restarted.close();
    }
    expect(await streamLength(userId)).toBe(2);
  });

  it('does not store a 5xx, so the client can retry it', async () => {
    const { userId, token } = await register();
    control.failNext = true;
    const failed = await logSleep(app, token, 'k-5', night(13));
    expect(failed.statusCode).toBe(500);
    const retried = await logSleep(app, token, 'k-5', night(13));
    expect(retried.statusCode, retried.body).toBe(201);
    expect(await streamLength(userId)).toBe(2);
  });

  it('refuses a malformed key', async () => {
    const { token } = await register();
    const res = await logSleep(app, token, 'bad key with spaces', night(15));
    expect(res.statusCode).toBe(400);
  });
});
