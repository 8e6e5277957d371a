import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUp, eventually, testConfig } from '../../shared/testing/environment.js';
import { logSleep, register } from './support.js';
import { prepare } from '../../launcher/infrastructure.js';
import { ROLES } from '../../launcher/roles.js';
import { buildSystem, type System } from '../../launcher/system.js';

// A client that passes the position its command answered reads its own write at once, with no
// polling of its own; a position the projections cannot reach in time is answered as stale.
// Board reads and feed items are reused for a minute here, so only a read that bypasses the reuse sees the change.
const config = testConfig('ryw', { READ_YOUR_WRITES_TIMEOUT_MS: '3000', LEADERBOARD_PAGE_CACHE_MS: '60000', FEED_ITEM_CACHE_MS: '60000' });
let system: System;
let token: string;
let userId: string;

beforeAll(async () => {
  await prepare(config, () => undefined);
  system = buildSystem(config, ROLES);
  await system.start();
  const res = await system.app.inject({
    method: 'POST',
    url: '/v1/users',
    payload: { handle: 'ryw_reader', displayName: 'Before', timezone: 'UTC', password: 'long enough password' },
  });
  ({ token, userId } = res.json<{ token: string; userId: string }>());
});
afterAll(async () => {
  await system?.stop();
  await cleanUp(config);
});

const get = (url: string) => system.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

describe('read-your-writes with minPosition', () => {
  it('answers the leaderboard with the caller’s new night already counted, page included', async () => {
    const board = `/v1/leaderboards/global?period=day&date=2026-11-20`;
    expect((await get(board)).json<{ entries: unknown[] }>().entries).toEqual([]);
    const logged = await system.app.inject({
      method: 'POST',
      url: '/v1/sleep-logs',
      headers: { authorization: `Bearer ${token}` },
      payload: { startedAt: '2026-11-19T23:00:00Z', endedAt: '2026-11-20T07:00:00Z' },
    });
    const { position } = logged.json<{ position: number }>();
    const res = await get(`/v1/leaderboards/global?period=day&date=2026-11-20&minPosition=${position}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['read-consistency']).toBe('fresh');
    expect(res.json<{ me: unknown }>().me).toEqual({ rank: 1, score: 480 });
    expect(res.json<{ entries: { score: number }[] }>().entries.map((e) => e.score)).toEqual([480]);
    // Without minPosition the board's reused read may lag, page and place alike: they never disagree.
    const reused = (await get(board)).json<{ entries: unknown[]; me: unknown }>();
    expect(reused).toMatchObject({ entries: [], me: null });
  });

  it('answers the feed with its items read afresh, not the ones the process reuses', async () => {
    const author = await register(system.app, 'ryw_author');
    const ended = new Date(Date.now() - 3_600_000);
    const night = { startedAt: new Date(ended.getTime() - 480 * 60_000).toISOString(), endedAt: ended.toISOString() };
    const logId = await logSleep(system.app, author, night.startedAt, night.endedAt);
    const followed = await system.app.inject({ method: 'PUT', url: `/v1/following/${author.userId}`, headers: { authorization: `Bearer ${token}` } });
    const { position } = followed.json<{ position: number }>();
    const durations = async (url: string) => (await get(url)).json<{ items: { durationMinutes: number }[] }>().items.map((i) => i.durationMinutes);
    // The author's night reaches the feeds through its own partition, maybe after the follow.
    await eventually(async () => ((await durations(`/v1/feed?minPosition=${position}`)).length === 1 ? true : undefined), 20_000);
    expect(await durations(`/v1/feed?minPosition=${position}`)).toEqual([480]);
    expect(await durations('/v1/feed')).toEqual([480]); // now reused for a minute

    const corrected = await system.app.inject({ method: 'PUT', url: `/v1/sleep-logs/${logId}`, headers: { authorization: `Bearer ${author.token}` }, payload: { ...night, startedAt: new Date(ended.getTime() - 300 * 60_000).toISOString() } });
    expect(corrected.statusCode, corrected.body).toBe(200);
    await eventually(async () => ((await durations(`/v1/feed?minPosition=${position}`))[0] === 300 ? true : undefined), 20_000);
  });

  it('answers the profile with the caller’s new name (MySQL tables, written in batches)', async () => {
    const patched = await system.app.inject({ method: 'PATCH', url: '/v1/me', headers: { authorization: `Bearer ${token}` }, payload: { displayName: 'After' } });
    const { position } = patched.json<{ position: number }>();
    const res = await get(`/v1/users/${userId}?minPosition=${position}`);
    expect(res.headers['read-consistency']).toBe('fresh');
    expect(res.json<{ displayName: string }>().displayName).toBe('After');
  });

  it('says how stale the answer is when the position is not reached in time, and forbids caching it', async () => {
    const started = Date.now();
    // Every route that would otherwise allow caching its answer, at once (each waits the 3 s).
    const routes = ['/v1/leaderboards/global?period=day&date=2026-11-20', '/v1/leaderboards/friends?period=day', '/v1/leaderboards/global/around-me?period=day', '/v1/feed', `/v1/users/${userId}`];
    const answers = await Promise.all(routes.map((route) => get(`${route}${route.includes('?') ? '&' : '?'}minPosition=999999999`)));
    for (const [i, res] of answers.entries()) {
      expect(res.statusCode, routes[i]).toBe(200);
      expect(res.headers['read-consistency'], routes[i]).toMatch(/^stale; applied=\d+; requested=999999999$/);
      expect(res.headers['cache-control'], routes[i]).toBe('no-store');
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
  });

  it('refuses a malformed position with its field path', async () => {
    const res = await get('/v1/feed?minPosition=-3');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: '/minPosition', in: 'query' }] });
  });
});
