import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { System } from '../../launcher/system.js';
import { KeysetCursor } from '../../query-side/keyset.js';
import { errorPaths, eventuallyRead, expectProblem, follow, get, register, startSystem, type Caller } from './support.js';

// Followers and following lists, filled through the command API and the pipeline.
let system: System;
let stop: () => Promise<void>;
let star: Caller;
let fans: Caller[];
let loner: Caller;

type Page = { userId: string; total: number; items: { user: { id: string; handle: string | null; displayName: string | null }; since: string }[]; nextCursor: string | null };

beforeAll(async () => {
  ({ system, stop } = await startSystem('query_follows'));
  star = await register(system.app, 'star_follows', 'UTC', 'The Star');
  fans = [];
  for (let i = 1; i <= 5; i++) fans.push(await register(system.app, `fan_${i}`, 'UTC', `Fan ${i}`));
  loner = await register(system.app, 'loner_follows');
  for (const fan of fans) await follow(system.app, fan, star);
  await follow(system.app, star, fans[0] as Caller);
  await follow(system.app, star, fans[1] as Caller);
  await eventuallyRead<Page>(system.app, `/v1/users/${star.userId}/followers?limit=100`, loner, (p) => p.total === 5 && p.items.length === 5 && p.items.every((i) => i.user.handle));
  await eventuallyRead<Page>(system.app, `/v1/users/${star.userId}/following`, loner, (p) => p.total === 2 && p.items.length === 2);
  await eventuallyRead<Page>(system.app, `/v1/users/${loner.userId}/followers`, loner, () => true);
});

afterAll(async () => {
  await stop?.();
});

const list = async (url: string, caller: Caller = loner): Promise<Page> => {
  const res = await get(system.app, url, caller);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Page>();
};
const ids = (page: Page) => page.items.map((i) => i.user.id);
const newestFirst = () => [...fans].reverse().map((f) => f.userId);

describe('GET /v1/users/:userId/followers and /following', () => {
  it('lists followers newest first, with names, the time they followed and the total', async () => {
    const page = await list(`/v1/users/${star.userId}/followers`);
    expect(page.total).toBe(5);
    expect(ids(page)).toEqual(newestFirst());
    expect(page.items[0]).toEqual({ user: { id: fans[4]?.userId, handle: 'fan_5', displayName: 'Fan 5' }, since: expect.stringMatching(/Z$/) as string });
    const since = page.items.map((i) => Date.parse(i.since));
    expect(since).toEqual([...since].sort((a, b) => b - a));
    expect(page.nextCursor).toBeNull();
  });

  it('lists whom a user follows, newest first; both lists are public', async () => {
    const page = await list(`/v1/users/${star.userId}/following`, fans[3]);
    expect(page).toMatchObject({ userId: star.userId, total: 2, nextCursor: null });
    expect(ids(page)).toEqual([fans[1]?.userId, fans[0]?.userId]);
    expect((await list(`/v1/users/${fans[2]?.userId}/following`)).items.map((i) => i.user.handle)).toEqual(['star_follows']);
  });

  it('pages by cursor until the last page, which has no cursor', async () => {
    const seen: string[] = [];
    const sizes: number[] = [];
    let url = `/v1/users/${star.userId}/followers?limit=2`;
    for (;;) {
      const page = await list(url);
      expect(page.total).toBe(5);
      seen.push(...ids(page));
      sizes.push(page.items.length);
      if (!page.nextCursor) break;
      url = `/v1/users/${star.userId}/followers?limit=2&cursor=${page.nextCursor}`;
    }
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual(newestFirst());
  });

  it('has no next cursor when the page ends exactly at the last item', async () => {
    const five = await list(`/v1/users/${star.userId}/followers?limit=5`);
    expect(five.items).toHaveLength(5);
    expect(five.nextCursor).toBeNull();
    const first = await list(`/v1/users/${star.userId}/followers?limit=4`);
    expect(first.nextCursor).not.toBeNull();
    const rest = await list(`/v1/users/${star.userId}/followers?limit=1&cursor=${first.nextCursor}`);
    expect(ids(rest)).toEqual([fans[0]?.userId]);
    expect(rest.nextCursor).toBeNull();
  });

  it('answers an empty page after the last item and for a user nobody follows', async () => {
    const all = await list(`/v1/users/${star.userId}/followers`);
    const last = all.items.at(-1);
    const after = KeysetCursor.encode({ at: last?.since ?? '', id: last?.user.id ?? '' });
    expect(await list(`/v1/users/${star.userId}/followers?cursor=${after}`)).toEqual({ userId: star.userId, total: 5, items: [], nextCursor: null });
    expect(await list(`/v1/users/${loner.userId}/followers`)).toEqual({ userId: loner.userId, total: 0, items: [], nextCursor: null });
    expect(await list(`/v1/users/${loner.userId}/following`)).toEqual({ userId: loner.userId, total: 0, items: [], nextCursor: null });
  });

  it('clamps the limit into 1..100 and refuses one that is not a number', async () => {
    expect((await list(`/v1/users/${star.userId}/followers?limit=0`)).items).toHaveLength(1);
    expect((await list(`/v1/users/${star.userId}/followers?limit=-3`)).items).toHaveLength(1);
    expect((await list(`/v1/users/${star.userId}/followers?limit=100000`)).items).toHaveLength(5);
    const bad = await get(system.app, `/v1/users/${star.userId}/followers?limit=many`, loner);
    expectProblem(bad, 422, 'VALIDATION_FAILED');
    expect(errorPaths(bad)).toEqual(['/limit']);
  });

  it('refuses a cursor it did not make, and unknown parameters', async () => {
    for (const cursor of ['garbage', Buffer.from('o:2').toString('base64url'), Buffer.from('k:yesterday|nobody').toString('base64url')]) {
      const res = await get(system.app, `/v1/users/${star.userId}/following?cursor=${cursor}`, loner);
      expectProblem(res, 422, 'VALIDATION_FAILED');
      expect(errorPaths(res)).toEqual(['/cursor']);
    }
    expect(errorPaths(await get(system.app, `/v1/users/${star.userId}/followers?offset=2`, loner))).toEqual(['/offset']);
  });

  it('requires a token and answers 404 for an unknown user', async () => {
    expectProblem(await get(system.app, `/v1/users/${star.userId}/followers`), 401, 'UNAUTHENTICATED');
    expectProblem(await get(system.app, `/v1/users/${star.userId}/following`), 401, 'UNAUTHENTICATED');
    expectProblem(await get(system.app, `/v1/users/${crypto.randomUUID()}/followers`, loner), 404, 'USER_NOT_FOUND');
    expectProblem(await get(system.app, `/v1/users/${crypto.randomUUID()}/following`, loner), 404, 'USER_NOT_FOUND');
  });
});
