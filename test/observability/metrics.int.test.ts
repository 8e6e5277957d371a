import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../shared/testing/environment.js';
import { createKafka } from '../../shared/kafka/client.js';
import { countRebuildEvents } from '../../shared/observability/metrics.js';
import { caughtUp, families, logSleep, register, samples, scrape, startSystem, valueOf, type Running } from './support.js';

// One running system (every role in one process), driven through its HTTP API; its /metrics is
// read the way Prometheus reads it.
let run: Running;
let ada: { userId: string; token: string };
let bob: { userId: string; token: string };

beforeAll(async () => {
  run = await startSystem('obs_metrics');
  const app = run.system.app;
  ada = await register(app, 'metrics_ada');
  bob = await register(app, 'metrics_bob');
  expect((await logSleep(app, ada.token, { startedAt: '2026-03-01T23:00:00+01:00', endedAt: '2026-03-02T07:00:00+01:00' })).statusCode).toBe(201);
  // Refused (overlaps the first night), and a repeat that changes nothing.
  expect((await logSleep(app, ada.token, { startedAt: '2026-03-02T01:00:00+01:00', endedAt: '2026-03-02T06:00:00+01:00' })).statusCode).toBe(409);
  const unfollow = await app.inject({ method: 'DELETE', url: `/v1/following/${bob.userId}`, headers: { authorization: `Bearer ${ada.token}` } });
  expect(unfollow.statusCode).toBe(200);
  await caughtUp(app);
  const profile = await app.inject({ method: 'GET', url: `/v1/users/${bob.userId}`, headers: { authorization: `Bearer ${ada.token}` } });
  expect(profile.statusCode).toBe(200);
});

afterAll(async () => {
  await run?.stop();
});

describe('GET /metrics', () => {
  it('speaks the Prometheus text format', async () => {
    const res = await run.system.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(() => samples(res.body)).not.toThrow();
  });

  it('measures HTTP requests per route pattern, never per raw URL', async () => {
    const text = await scrape(run.system.app);
    expect(families(text).get('http_request_duration_seconds')).toBe('histogram');
    expect(valueOf(text, 'http_request_duration_seconds_count', { method: 'POST', route: '/v1/sleep-logs', status_code: '201' })).toBe(1);
    expect(valueOf(text, 'http_request_duration_seconds_count', { method: 'POST', route: '/v1/sleep-logs', status_code: '409' })).toBe(1);
    expect(valueOf(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/v1/users/:userId', status_code: '200' })).toBe(1);
    // Bounded cardinality: no label value carries a user id (the raw URLs did).
    for (const id of [ada.userId, bob.userId]) expect(text).not.toContain(id);
  });

  it('labels a request no route matched as unmatched', async () => {
    await run.system.app.inject({ method: 'GET', url: `/nowhere/${ada.userId}` });
    const text = await scrape(run.system.app);
    expect(valueOf(text, 'http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status_code: '404' })).toBe(1);
    expect(text).not.toContain(ada.userId);
  });

  it('counts command outcomes: ok, unchanged, and refusals by error code', async () => {
    const text = await scrape(run.system.app);
    expect(valueOf(text, 'sleepsocial_commands_total', { command: 'RegisterUser', outcome: 'ok' })).toBe(2);
    expect(valueOf(text, 'sleepsocial_commands_total', { command: 'LogSleep', outcome: 'ok' })).toBe(1);
    expect(valueOf(text, 'sleepsocial_commands_total', { command: 'LogSleep', outcome: 'SLEEP_OVERLAPS' })).toBe(1);
    expect(valueOf(text, 'sleepsocial_commands_total', { command: 'Unfollow', outcome: 'unchanged' })).toBe(1);
  });

  it('times appends', async () => {
    const text = await scrape(run.system.app);
    expect(families(text).get('sleepsocial_event_store_append_duration_seconds')).toBe('histogram');
    // Two registrations (handle claim, password, user stream) and one sleep log.
    expect(valueOf(text, 'sleepsocial_event_store_append_duration_seconds_count', { outcome: 'ok' })).toBe(7);
  });

  it('shows the relay and every projection caught up, per partition', async () => {
    const text = await eventually(async () => {
      const t = await scrape(run.system.app);
      const lags = samples(t).filter((s) => s.name === 'sleepsocial_projector_lag_messages');
      return lags.length === 9 && lags.every((s) => s.value === 0) ? t : undefined;
    });
    expect(valueOf(text, 'sleepsocial_relay_lag_positions')).toBe(0);
    expect(valueOf(text, 'sleepsocial_relay_lag_seconds')).toBe(0);
    expect(valueOf(text, 'sleepsocial_relay_published_events_total')).toBe(3);
    const partitions = samples(text)
      .filter((s) => s.name === 'sleepsocial_projector_lag_messages')
      .map((s) => `${s.labels['projection']}/${s.labels['partition']}`)
      .sort();
    expect(partitions).toEqual(['feeds/0', 'feeds/1', 'feeds/2', 'leaderboards/0', 'leaderboards/1', 'leaderboards/2', 'tables/0', 'tables/1', 'tables/2']);
  });

  it('exports the process’s own metrics and declares rebuild progress', async () => {
    countRebuildEvents(run.system.metrics, 'leaderboards', 5);
    const text = await scrape(run.system.app);
    expect(families(text).get('process_cpu_user_seconds_total')).toBe('counter');
    expect(families(text).get('nodejs_eventloop_lag_p99_seconds')).toBe('gauge');
    expect(valueOf(text, 'sleepsocial_rebuild_events_total', { projection: 'leaderboards' })).toBe(5);
  });

  it('counts dead letters per projection', async () => {
    const before = await scrape(run.system.app);
    for (const projection of ['leaderboards', 'feeds', 'tables']) expect(valueOf(before, 'sleepsocial_dead_letters_total', { projection })).toBe(0);
    const producer = createKafka({ brokers: run.config.KAFKA_BROKERS, clientId: 'obs-poison', topicPrefix: '' }).producer();
    await producer.connect();
    await producer.send({ topic: `${run.config.KAFKA_TOPIC_PREFIX}user-events`, messages: [{ key: 'poison', value: 'not json', headers: { 'correlation-id': 'poison-1' } }] });
    await producer.disconnect();
    await eventually(async () => {
      const text = await scrape(run.system.app);
      return ['leaderboards', 'feeds', 'tables'].every((projection) => valueOf(text, 'sleepsocial_dead_letters_total', { projection }) === 1) ? text : undefined;
    });
  });

  it('shows where a write is stuck: the relay behind the store, in positions and seconds', async () => {
    await run.system.relay?.stop();
    expect((await logSleep(run.system.app, bob.token, { startedAt: '2026-03-03T23:00:00+01:00', endedAt: '2026-03-04T07:00:00+01:00' })).statusCode).toBe(201);
    // The relay lag is cached for a second; the oldest unpublished event ages meanwhile.
    await new Promise((r) => setTimeout(r, 1_100));
    const text = await scrape(run.system.app);
    expect(valueOf(text, 'sleepsocial_relay_lag_positions')).toBeGreaterThanOrEqual(1);
    expect(valueOf(text, 'sleepsocial_relay_lag_seconds')).toBeGreaterThan(0.5);
  });
});
