import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caughtUp, families, logSleep, register, scrape, startSystem, type Running } from './support.js';
import { exprsOf, isExported, metricNamesOf } from './promql.js';

// Every metric the Grafana dashboard queries must be one /metrics of a running system exports:
// a renamed metric would otherwise leave a panel silently empty.
const dashboard: unknown = JSON.parse(readFileSync(new URL('../../ops/grafana/dashboards/sleepsocial.json', import.meta.url), 'utf8'));
let run: Running;

beforeAll(async () => {
  run = await startSystem('obs_dashboard');
  const { token } = await register(run.system.app, 'dashboard_ada');
  expect((await logSleep(run.system.app, token, { startedAt: '2026-07-01T23:00:00+02:00', endedAt: '2026-07-02T07:00:00+02:00' })).statusCode).toBe(201);
  await caughtUp(run.system.app);
});

afterAll(async () => {
  await run?.stop();
});

describe('ops/grafana/dashboards/sleepsocial.json', () => {
  const names = [...new Set(exprsOf(dashboard).flatMap(metricNamesOf))].sort();

  it('queries the metrics of every hop', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'http_request_duration_seconds_bucket',
        'http_request_duration_seconds_count',
        'sleepsocial_commands_total',
        'sleepsocial_event_store_append_duration_seconds_bucket',
        'sleepsocial_relay_lag_positions',
        'sleepsocial_relay_lag_seconds',
        'sleepsocial_projector_lag_messages',
        'sleepsocial_dead_letters_total',
      ]),
    );
  });

  it('references only metrics that GET /metrics exports', async () => {
    const exported = families(await scrape(run.system.app));
    expect(names.filter((n) => !isExported(n, exported))).toEqual([]);
  });
});
