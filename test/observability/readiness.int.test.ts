import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUp, eventually, testConfig } from '../../shared/testing/environment.js';
import { prepare } from '../../launcher/infrastructure.js';
import { buildSystem, type System } from '../../launcher/system.js';
import { logSleep, register } from './support.js';

// A writer (command API + relay) and a projector process on the same servers, as in production;
// the projector's readiness fails while a projection lags more than READY_MAX_PROJECTOR_LAG.
const config = testConfig('obs_ready', { READY_MAX_PROJECTOR_LAG: '2' });
let writer: System;
let projector: System;

beforeAll(async () => {
  await prepare(config, () => undefined);
  writer = buildSystem(config, ['command-api', 'relay']);
  await writer.start();
  projector = buildSystem(config, ['projector']);
});

afterAll(async () => {
  await writer?.stop();
  await projector?.stop();
  await cleanUp(config);
});

type Ready = { status: string; detail?: string; checks: { name: string; ok: boolean; error?: string }[] };

describe('GET /readyz of a projector', () => {
  it('answers 503 naming each projection that lags beyond the threshold, and 200 once caught up', async () => {
    const { token } = await register(writer.app, 'ready_ada');
    for (const day of ['01', '02']) {
      const res = await logSleep(writer.app, token, { startedAt: `2026-06-${day}T00:00:00+02:00`, endedAt: `2026-06-${day}T07:00:00+02:00` });
      expect(res.statusCode).toBe(201);
    }
    // Three events published, no projector consuming yet.
    const lagging = await eventually(async () => {
      const res = await projector.app.inject({ method: 'GET', url: '/readyz' });
      return res.statusCode === 503 ? res.json<Ready>() : undefined;
    });
    expect(lagging.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['projection leaderboards', 'projection feeds', 'projection tables']);
    expect(lagging.detail).toMatch(/projection feeds \(feeds lags 3 messages behind user-events \(more than READY_MAX_PROJECTOR_LAG=2\)\)/);

    await projector.start();
    const ready = await eventually(async () => {
      const res = await projector.app.inject({ method: 'GET', url: '/readyz' });
      return res.statusCode === 200 ? res.json<Ready>() : undefined;
    });
    expect(ready.checks.every((c) => c.ok)).toBe(true);
  });

  it('does not check projector lag on roles that do not project', async () => {
    const res = await writer.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.json<Ready>().checks.map((c) => c.name).sort()).toEqual(['kafka', 'mysql']);
  });
});
