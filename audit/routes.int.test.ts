import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../shared/auth/tokens.js';
import type { UserId } from '../shared/events/index.js';
import { mysqlAudit } from '../shared/event-store/mysql/audit.js';
import { eventStoreSchema } from '../shared/event-store/mysql/schema.js';
import { createMysqlEventStore } from '../shared/event-store/mysql/store.js';
import { buildHttpApp } from '../shared/http/app.js';
import { migrate } from '../shared/mysql/migrate.js';
import { createPool, ensureDatabase } from '../shared/mysql/pool.js';
import { cleanUp, testConfig } from '../shared/testing/environment.js';
import { mysqlSettingsOf } from '../launcher/infrastructure.js';
import { appendUserEvents, userWithNights } from '../test/pipeline-support.js';
import { auditRoutes } from './routes.js';

const config = testConfig('audit_routes');
const tokens = createTokenService({ secret: config.JWT_SECRET, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, ttlSeconds: 600 });
const userId = randomUUID() as UserId;
let pool: mysql.Pool;
let app: FastifyInstance;
let auditor: string;
let user: string;

beforeAll(async () => {
  await ensureDatabase(mysqlSettingsOf(config));
  pool = createPool(mysqlSettingsOf(config));
  await migrate(pool, eventStoreSchema);
  const store = createMysqlEventStore(pool);
  await appendUserEvents(store, userId, userWithNights(userId, 3));
  app = buildHttpApp({ readiness: [] });
  auditRoutes({ store, tokens, audit: mysqlAudit(pool) })(app);
  await app.ready();
  const now = Math.floor(Date.now() / 1000);
  auditor = await tokens.issue({ userId: randomUUID() as UserId, roles: ['auditor'] }, now);
  user = await tokens.issue({ userId, roles: ['user'] }, now);
});
afterAll(async () => {
  await app?.close();
  await pool?.end();
  await cleanUp(config);
});

const get = (url: string, token?: string) => app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
const routes = ['history', 'state?at=1', 'verify'].map((r) => `/v1/audit/users/${userId}/${r}`);

describe('audit routes', () => {
  it('answer auditors', async () => {
    const history = await get(routes[0]!, auditor);
    expect(history.statusCode, history.body).toBe(200);
    expect(history.json<{ events: { type: string; revision: number }[] }>().events.map((e) => [e.revision, e.type])).toEqual([
      [0, 'UserRegistered'],
      [1, 'SleepLogged'],
      [2, 'SleepLogged'],
      [3, 'SleepLogged'],
    ]);
    const typed = await get(`/v1/audit/users/${userId}/history?type=UserRegistered&from=2020-01-01`, auditor);
    expect(typed.json<{ events: unknown[] }>().events).toHaveLength(1);

    const state = await get(routes[1]!, auditor);
    expect(state.statusCode, state.body).toBe(200);
    const body = state.json<{ revision: number; state: { status: string; logs: Record<string, unknown> } }>();
    expect(body.revision).toBe(1);
    expect(body.state.status).toBe('registered');
    expect(Object.keys(body.state.logs)).toHaveLength(1);
    const before = await get(`/v1/audit/users/${userId}/state?at=2001-01-01T00:00:00Z`, auditor);
    expect(before.json<{ revision: number; state: unknown }>()).toMatchObject({ revision: -1, state: { status: 'unregistered' } });

    const verify = await get(routes[2]!, auditor);
    expect(verify.statusCode, verify.body).toBe(200);
    expect(verify.json()).toMatchObject({ userId, intact: true, events: 4, broken: null });
  });

  it('say when the chain is broken', async () => {
    await pool.query(`UPDATE events SET data = REPLACE(data, '"durationMinutes":401', '"durationMinutes":601') WHERE stream_id = ?`, [`user-${userId}`]);
    const verify = await get(routes[2]!, auditor);
    expect(verify.json()).toMatchObject({ intact: false, broken: { revision: 2, reason: 'hash-mismatch' } });
  });

  it('refuse regular users (403) and anonymous callers (401)', async () => {
    for (const url of routes) {
      expect((await get(url, user)).statusCode).toBe(403);
      expect((await get(url)).statusCode).toBe(401);
    }
  });

  it('answer 404 for an unknown user and 422 for a bad query', async () => {
    expect((await get(`/v1/audit/users/${randomUUID()}/history`, auditor)).statusCode).toBe(404);
    expect((await get(`/v1/audit/users/${userId}/state?at=yesterday`, auditor)).statusCode).toBe(422);
    expect((await get(`/v1/audit/users/${userId}/history?type=Nope`, auditor)).statusCode).toBe(422);
  });
});
