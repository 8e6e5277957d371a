import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../shared/testing/environment.js';
import { createKafka } from '../../shared/kafka/client.js';
import { createPool } from '../../shared/mysql/pool.js';
import { createMysqlEventStore } from '../../shared/event-store/mysql/store.js';
import { mysqlSettingsOf } from '../../launcher/infrastructure.js';
import { captureLog, logSleep, PASSWORD, register, startSystem, type Running } from './support.js';

// The whole system logging JSON at debug level into a stream the test reads.
const log = captureLog();
let run: Running;

beforeAll(async () => {
  run = await startSystem('obs_logs', { logger: { level: 'trace', stream: log.stream } });
});

afterAll(async () => {
  await run?.stop();
});

const withCorrelation = (id: string) => (line: Record<string, unknown>) =>
  line['correlationId'] === id || (Array.isArray(line['correlationIds']) && line['correlationIds'].includes(id));

describe('structured logs', () => {
  it('never contain a password, a token or a password hash', async () => {
    const app = run.system.app;
    const registered = await register(app, 'secret_keeper');
    const signedIn = await app.inject({ method: 'POST', url: '/v1/sessions', payload: { handle: 'secret_keeper', password: PASSWORD } });
    expect(signedIn.statusCode).toBe(200);
    const { token } = signedIn.json<{ token: string }>();
    const wrong = await app.inject({ method: 'POST', url: '/v1/sessions', payload: { handle: 'secret_keeper', password: `${PASSWORD}!` } });
    expect(wrong.statusCode).toBe(401);
    expect((await logSleep(app, token, { startedAt: '2026-04-01T23:00:00+02:00', endedAt: '2026-04-02T07:00:00+02:00' })).statusCode).toBe(201);
    // Anything that does log such fields (by mistake, or a future debug line) is censored.
    app.log.info({ password: PASSWORD, token, user: { password: PASSWORD, token, passwordHash: 'hash-in-a-log' }, req: { headers: { authorization: `Bearer ${token}` } } }, 'careless');

    const pool = createPool({ ...mysqlSettingsOf(run.config), poolSize: 1 });
    const [passwordSet] = await createMysqlEventStore(pool).readStream(`credentials-${registered.userId}`);
    await pool.end();
    const hash = (passwordSet?.data as { passwordHash?: string } | undefined)?.passwordHash ?? '';
    expect(hash.length).toBeGreaterThan(20);

    const text = log.text();
    expect(text).toContain('"careless"');
    expect(text).toContain('[redacted]');
    for (const secret of [PASSWORD, registered.token, token, hash, 'hash-in-a-log']) expect(text).not.toContain(secret);
    // Nor the signature of a token alone (the part that makes it valid).
    for (const t of [registered.token, token]) expect(text).not.toContain(t.split('.')[2]);
  });

  it('follow one write by its correlation id: HTTP, command, relay, every projector', async () => {
    const app = run.system.app;
    const { token } = await register(app, 'trail_walker');
    const correlationId = 'obs-trail-1';
    const logged = await logSleep(app, token, { startedAt: '2026-04-03T23:00:00+02:00', endedAt: '2026-04-04T07:00:00+02:00' }, { 'x-correlation-id': correlationId });
    expect(logged.statusCode).toBe(201);

    const trail = await eventually(() => {
      const lines = log.lines().filter(withCorrelation(correlationId));
      const projected = new Set(lines.map((l) => String(l['msg'])).filter((m) => m.endsWith(': applied a batch')));
      return Promise.resolve(projected.size === 3 ? lines : undefined);
    });
    const messages = trail.map((l) => String(l['msg']));
    expect(messages).toEqual(
      expect.arrayContaining([
        'incoming request',
        'request completed',
        'command LogSleep: ok',
        'relay: published a batch',
        'leaderboards: applied a batch',
        'feeds: applied a batch',
        'tables: applied a batch',
      ]),
    );
    const command = trail.find((l) => l['msg'] === 'command LogSleep: ok');
    expect(command).toMatchObject({ level: 30, command: 'LogSleep', outcome: 'ok', correlationId });
    expect(trail.find((l) => l['msg'] === 'relay: published a batch')).toMatchObject({ level: 20 });
    expect(trail.find((l) => l['msg'] === 'feeds: applied a batch')).toMatchObject({ level: 30 });
  });

  it('names the correlation id of a dead-lettered message at warn', async () => {
    const producer = createKafka({ brokers: run.config.KAFKA_BROKERS, clientId: 'obs-poison', topicPrefix: '' }).producer();
    await producer.connect();
    await producer.send({ topic: `${run.config.KAFKA_TOPIC_PREFIX}user-events`, messages: [{ key: 'poison', value: '{', headers: { 'correlation-id': 'poison-7' } }] });
    await producer.disconnect();
    const warnings = await eventually(() => {
      const lines = log.lines().filter((l) => l['correlationId'] === 'poison-7' && String(l['msg']).endsWith('dead-lettered a message'));
      return Promise.resolve(lines.length === 3 ? lines : undefined);
    });
    expect(warnings.every((l) => l['level'] === 40)).toBe(true);
  });
});
