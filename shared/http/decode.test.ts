import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { buildHttpApp } from './app.js';
import { decodeRequest } from './decode.js';
import { clampedLimit } from './query-codecs.js';

const Query = t.intersection([t.type({ period: t.keyof({ day: null, week: null }) }), t.partial({ limit: clampedLimit(10) })]);

const appWith = () => {
  const app = buildHttpApp({ readiness: [] });
  const seen: unknown[] = [];
  app.get('/q', async (request, reply) => {
    const q = decodeRequest(Query, request, reply, 'query');
    if (!q) return reply;
    seen.push(q);
    return { ...q, frozen: Object.isFrozen(q) };
  });
  return { app, seen };
};

describe('decoding query strings', () => {
  it('decodes each query string as the codec says, however often and in whatever order it comes', async () => {
    const { app, seen } = appWith();
    const ask = async (query: string) => (await app.inject({ method: 'GET', url: `/q?${query}` })).json<unknown>();
    expect(await ask('period=day&limit=50')).toEqual({ period: 'day', limit: 10, frozen: true });
    expect(await ask('period=day&limit=50')).toEqual({ period: 'day', limit: 10, frozen: true });
    expect(await ask('period=week')).toEqual({ period: 'week', frozen: true });
    expect(await ask('limit=3&period=day')).toEqual({ period: 'day', limit: 3, frozen: true });
    // The same query string answers with the same (frozen, shared) value.
    expect(seen[0]).toBe(seen[1]);
    await app.close();
  });

  it('refuses a bad query string every time it comes, with the field path', async () => {
    const { app } = appWith();
    for (const _ of [1, 2]) {
      const res = await app.inject({ method: 'GET', url: '/q?period=year&extra=1' });
      expect(res.statusCode).toBe(422);
      expect(res.json<{ errors: { path: string }[] }>().errors.map((e) => e.path).sort()).toEqual(['/period']);
    }
    const unknown = await app.inject({ method: 'GET', url: '/q?period=day&extra=1' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toEqual(['/extra']);
    await app.close();
  });
});
