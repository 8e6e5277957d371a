import { mysqlSettingsOf } from '../shared/mysql/settings.js';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type mysql from 'mysql2/promise';
import { createTokenService, type TokenService, type TokenSettings } from '../shared/auth/tokens.js';
import type { Config } from '../shared/config/index.js';
import { createMysqlEventStore } from '../shared/event-store/mysql/store.js';
import { eventStoreMigrations } from '../shared/event-store/mysql/schema.js';
import type { EventStore, StoredEvent } from '../shared/event-store/port.js';
import type { UserId } from '../shared/events/index.js';
import { buildHttpApp } from '../shared/http/app.js';
import { migrate } from '../shared/mysql/migrate.js';
import { createPool, ensureDatabase } from '../shared/mysql/pool.js';
import { cleanUp, testConfig } from '../shared/testing/environment.js';
import type { CommandDeps } from './deps.js';
import { commandRoutes } from './routes.js';
import { userStream } from './user-stream/stream.js';

/** The command side's clock in route tests: decisions see this instant, whatever the date. */
export const NOW = Date.parse('2026-11-21T12:00:00Z');

export type TestUser = { readonly userId: UserId; readonly token: string };

type Call = { readonly token?: string; readonly body?: InjectOptions['payload']; readonly headers?: Record<string, string> };

export type CommandTestApp = {
  readonly app: FastifyInstance;
  readonly store: EventStore;
  readonly config: Config;
  readonly tokenSettings: TokenSettings;
  readonly tokens: TokenService;
  /** Registers a user through POST /v1/users and hands back a token valid now. */
  register(displayName?: string): Promise<TestUser>;
  /** A valid token for any subject, registered or not. */
  tokenFor(userId: UserId): Promise<string>;
  call(method: InjectOptions['method'], url: string, options?: Call): Promise<LightMyRequestResponse>;
  /** The user's stream as stored, oldest first. */
  events(userId: UserId): Promise<StoredEvent[]>;
  close(): Promise<void>;
};

/**
 * The command API on the real MariaDB, in a database of its own: migrated event store, the routes
 * of `commandRoutes`, a fixed clock for decisions. Tokens are signed for the real time, because
 * the token library checks expiry against the wall clock, not against the app's clock.
 */
export const startCommandApp = async (name: string, overrides: Partial<CommandDeps> = {}): Promise<CommandTestApp> => {
  const config = testConfig(name);
  const settings = mysqlSettingsOf(config, 5);
  await ensureDatabase(settings);
  const pool: mysql.Pool = createPool(settings);
  await migrate(pool, [{ id: 'event-store-001', statements: eventStoreMigrations }]);

  const tokenSettings: TokenSettings = { secret: config.JWT_SECRET, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, ttlSeconds: config.JWT_TTL_SECONDS };
  const tokens = createTokenService(tokenSettings);
  const store = createMysqlEventStore(pool);
  const app = buildHttpApp({ readiness: [] });
  commandRoutes({ store, clock: () => NOW, ids: randomUUID, tokens, ...overrides })(app);
  await app.ready();

  const tokenFor = (userId: UserId) => tokens.issue({ userId, roles: ['user'] }, Math.floor(Date.now() / 1000));
  let registered = 0;

  const call: CommandTestApp['call'] = (method, url, options = {}) =>
    app.inject({
      method,
      url,
      headers: { ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }), ...options.headers },
      ...(options.body === undefined ? {} : { payload: options.body }),
    });

  return {
    app,
    store,
    config,
    tokenSettings,
    tokens,
    tokenFor,
    call,
    register: async (displayName = 'Sleeper') => {
      const handle = `sleeper_${++registered}`;
      const res = await call('POST', '/v1/users', { body: { handle, displayName, timezone: 'Europe/Berlin', password: 'a long enough password' } });
      if (res.statusCode !== 201) throw new Error(`registering ${handle} failed: ${res.statusCode} ${res.body}`);
      const { userId } = res.json<{ userId: UserId }>();
      return { userId, token: await tokenFor(userId) };
    },
    events: (userId) => store.readStream(userStream(userId)),
    close: async () => {
      await app.close();
      await pool.end();
      await cleanUp(config);
    },
  };
};
