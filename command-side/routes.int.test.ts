import { randomUUID } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../shared/auth/tokens.js';
import type { UserId } from '../shared/events/index.js';
import { startCommandApp, type CommandTestApp, type TestUser } from './testing.js';

// The command routes on the real MariaDB: authentication, validation, every refusal the error
// codes map, the success case and its effect in the store, and that a refusal appends nothing.
let t: CommandTestApp;
beforeAll(async () => {
  t = await startCommandApp('command_routes');
});
afterAll(async () => {
  await t?.close();
});

type Method = NonNullable<InjectOptions['method']>;
type Json = Record<string, unknown>;
type FieldError = { path: string; message: string; in: string };

/** A night that ends on the morning of 2026-11-(day+1), well before the app's clock (the 21st, noon). */
const night = (day: number, extra: Json = {}): Json => ({
  startedAt: `2026-11-${String(day).padStart(2, '0')}T22:00:00Z`,
  endedAt: `2026-11-${String(day + 1).padStart(2, '0')}T06:00:00Z`,
  ...extra,
});

const logSleep = async (user: TestUser, day: number): Promise<string> => {
  const res = await t.call('POST', '/v1/sleep-logs', { token: user.token, body: night(day) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ logId: string }>().logId;
};

const types = async (userId: UserId) => (await t.events(userId)).map((e) => e.type);

const expectProblem = (res: LightMyRequestResponse, status: number, code: string): Json => {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json<Json>();
  expect(body).toMatchObject({ status, code });
  return body;
};

const fieldErrors = (res: LightMyRequestResponse): FieldError[] => expectProblem(res, 422, 'VALIDATION_FAILED').errors as FieldError[];

/** Runs a request that must be refused and checks that the store did not move. */
const refused = async (request: () => Promise<LightMyRequestResponse>): Promise<LightMyRequestResponse> => {
  const before = await t.store.headPosition();
  const res = await request();
  expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, res.body).toBeLessThan(500);
  expect(await t.store.headPosition()).toBe(before);
  return res;
};

/** The last event of the user's stream must be the one the answer names. */
const expectAnswerMatchesStream = async (res: LightMyRequestResponse, userId: UserId) => {
  const events = await t.events(userId);
  const last = events[events.length - 1];
  const { revision, position } = res.json<{ revision: number; position: number }>();
  expect({ revision, position }).toEqual({ revision: last?.metadata.revision, position: last?.metadata.position });
  expect(res.headers.etag).toBe(`"${revision}"`);
};

// ---------------------------------------------------------------------------------------------
// Every route: what a request needs before it is decided.

type Target = { readonly user: TestUser; readonly method: Method; readonly url: string; readonly body?: Json };

/** Per route, a fresh user and a request that succeeds for them. */
const routes: readonly { readonly name: string; readonly method: Method; readonly succeeding: () => Promise<Target> }[] = [
  {
    name: 'PATCH /v1/me',
    method: 'PATCH',
    succeeding: async () => ({ user: await t.register(), method: 'PATCH', url: '/v1/me', body: { displayName: 'Renamed' } }),
  },
  {
    name: 'PUT /v1/sleep-logs/:logId',
    method: 'PUT',
    succeeding: async () => {
      const user = await t.register();
      const logId = await logSleep(user, 1);
      return { user, method: 'PUT', url: `/v1/sleep-logs/${logId}`, body: night(1, { startedAt: '2026-11-01T23:00:00Z' }) };
    },
  },
  {
    name: 'DELETE /v1/sleep-logs/:logId',
    method: 'DELETE',
    succeeding: async () => {
      const user = await t.register();
      return { user, method: 'DELETE', url: `/v1/sleep-logs/${await logSleep(user, 1)}` };
    },
  },
  {
    name: 'PUT /v1/following/:userId',
    method: 'PUT',
    succeeding: async () => {
      const [user, followee] = [await t.register(), await t.register()];
      return { user, method: 'PUT', url: `/v1/following/${followee.userId}` };
    },
  },
  {
    name: 'DELETE /v1/following/:userId',
    method: 'DELETE',
    succeeding: async () => {
      const [user, followee] = [await t.register(), await t.register()];
      expect((await t.call('PUT', `/v1/following/${followee.userId}`, { token: user.token })).statusCode).toBe(200);
      return { user, method: 'DELETE', url: `/v1/following/${followee.userId}` };
    },
  },
];

const send = (target: Target, token: string | undefined, headers: Record<string, string> = {}) =>
  t.call(target.method, target.url, { ...(token === undefined ? {} : { token }), ...(target.body === undefined ? {} : { body: target.body }), headers });

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe.each(routes)('$name: authentication', ({ succeeding }) => {
  let target: Target;
  beforeAll(async () => {
    target = await succeeding();
  });

  const expectUnauthenticated = async (token: string | undefined, headers: Record<string, string> = {}) => {
    const res = await refused(() => send(target, token, headers));
    expectProblem(res, 401, 'UNAUTHENTICATED');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  };

  const nowSeconds = () => Math.floor(Date.now() / 1000);

  it('401 without a token', async () => {
    await expectUnauthenticated(undefined);
  });

  it('401 for an authorization that is not a bearer token', async () => {
    await expectUnauthenticated(undefined, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` });
    await expectUnauthenticated(undefined, { authorization: 'Bearer' });
  });

  it('401 for a token signed with another key', async () => {
    const forger = createTokenService({ ...t.tokenSettings, secret: 'another-secret-of-at-least-32-characters!' });
    await expectUnauthenticated(await forger.issue({ userId: target.user.userId, roles: ['user'] }, nowSeconds()));
  });

  it('401 for an expired token', async () => {
    const issuedLongAgo = nowSeconds() - t.tokenSettings.ttlSeconds - 120;
    await expectUnauthenticated(await t.tokens.issue({ userId: target.user.userId, roles: ['user'] }, issuedLongAgo));
  });

  it('401 for a token for another audience or issuer', async () => {
    const otherAudience = createTokenService({ ...t.tokenSettings, audience: 'someone-else' });
    await expectUnauthenticated(await otherAudience.issue({ userId: target.user.userId, roles: ['user'] }, nowSeconds()));
    const otherIssuer = createTokenService({ ...t.tokenSettings, issuer: 'someone-else' });
    await expectUnauthenticated(await otherIssuer.issue({ userId: target.user.userId, roles: ['user'] }, nowSeconds()));
  });

  it('401 for an unsigned token (alg: none)', async () => {
    const { issuer, audience, ttlSeconds } = t.tokenSettings;
    const claims = { sub: target.user.userId, iss: issuer, aud: audience, iat: nowSeconds(), exp: nowSeconds() + ttlSeconds, roles: ['user'] };
    await expectUnauthenticated(`${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`);
  });

  it('401 for a genuine token whose subject was swapped for another user', async () => {
    const other = randomUUID();
    const [header, , signature] = target.user.token.split('.');
    const { issuer, audience, ttlSeconds } = t.tokenSettings;
    const claims = { sub: other, iss: issuer, aud: audience, iat: nowSeconds(), exp: nowSeconds() + ttlSeconds, roles: ['user'] };
    await expectUnauthenticated(`${header}.${b64url(claims)}.${signature}`);
  });
});

describe.each(routes)('$name: If-Match and the answer', ({ succeeding }) => {
  it('answers 400 for an If-Match that is not a revision', async () => {
    const target = await succeeding();
    expectProblem(await refused(() => send(target, target.user.token, { 'if-match': 'yesterday' })), 400, 'MALFORMED_REQUEST');
  });

  it('answers 412 when the stream moved past the If-Match revision', async () => {
    const target = await succeeding();
    const current = (await t.events(target.user.userId)).length - 1;
    expectProblem(await refused(() => send(target, target.user.token, { 'if-match': `"${current - 1}"` })), 412, 'PRECONDITION_FAILED');
  });

  it('succeeds at the current revision and names the revision and position it appended', async () => {
    const target = await succeeding();
    const current = (await t.events(target.user.userId)).length - 1;
    const res = await send(target, target.user.token, { 'if-match': `"${current}"` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<{ revision: number }>().revision).toBe(current + 1);
    await expectAnswerMatchesStream(res, target.user.userId);
  });

  it('records the actor and the correlation id with the event', async () => {
    const target = await succeeding();
    const res = await send(target, target.user.token, { 'x-correlation-id': 'trace-123' });
    expect(res.statusCode, res.body).toBe(200);
    const last = (await t.events(target.user.userId)).at(-1);
    expect(last?.metadata).toMatchObject({ actor: target.user.userId, correlationId: 'trace-123', occurredAt: '2026-11-21T12:00:00.000Z' });
  });

  it('answers 404 USER_NOT_FOUND for a valid token of a user who never registered, and appends nothing', async () => {
    const target = await succeeding();
    const ghost = randomUUID() as UserId;
    const token = await t.tokenFor(ghost);
    expectProblem(await refused(() => send(target, token)), 404, 'USER_NOT_FOUND');
    expect(await t.events(ghost)).toEqual([]);
  });
});

describe('never a 500 for bad input', () => {
  it('answers every malformed request with a 4xx problem and appends nothing', async () => {
    const user = await t.register();
    const bad: [Method, string, InjectOptions['payload'] | undefined, Record<string, string>][] = [
      ['PATCH', '/v1/me', '{"displayName":', { 'content-type': 'application/json' }],
      ['PATCH', '/v1/me', 'null', { 'content-type': 'application/json' }],
      ['PATCH', '/v1/me', '[]', { 'content-type': 'application/json' }],
      ['PATCH', '/v1/me', '"Alice"', { 'content-type': 'application/json' }],
      ['PATCH', '/v1/me', undefined, {}],
      ['PATCH', '/v1/me', { displayName: 7 }, {}],
      ['PATCH', '/v1/me', { displayName: { toString: 'x' } }, {}],
      ['PATCH', '/v1/me', { timezone: '../../etc/passwd' }, {}],
      ['PATCH', '/v1/me', '{"__proto__":{"displayName":"x"}}', { 'content-type': 'application/json' }],
      ['PATCH', '/v1/me', '{"constructor":{"prototype":{"x":1}}}', { 'content-type': 'application/json' }],
      ['PUT', '/v1/sleep-logs/%00', night(1), {}],
      ['PUT', `/v1/sleep-logs/${randomUUID()}`, { startedAt: 'not a date', endedAt: 12 }, {}],
      ['PUT', `/v1/sleep-logs/${randomUUID()}`, night(1, { startedAt: '2026-02-30T22:00:00Z' }), {}],
      ['PUT', `/v1/sleep-logs/${randomUUID()}`, night(1, { quality: '5' }), {}],
      ['PUT', `/v1/sleep-logs/${randomUUID()}`, undefined, {}],
      ['DELETE', '/v1/sleep-logs/..%2F..%2Fusers', undefined, {}],
      ['DELETE', `/v1/sleep-logs/${randomUUID()}`, '{', { 'content-type': 'application/json' }],
      ['PUT', '/v1/following/me', undefined, {}],
      ['PUT', `/v1/following/${randomUUID().toUpperCase()}`, undefined, {}],
      ['DELETE', "/v1/following/1'%20OR%20'1'='1", undefined, {}],
      ['PUT', `/v1/following/${user.userId}`, undefined, { 'if-match': '"-7"' }],
    ];
    for (const [method, url, body, headers] of bad) {
      const res = await refused(() => t.call(method, url, { token: user.token, ...(body === undefined ? {} : { body }), headers }));
      expect(res.headers['content-type'], `${method} ${url}`).toMatch(/^application\/problem\+json/);
    }
  });

  it('refuses URLs the router rejects before any route runs, as problem+json', async () => {
    // Fastify raises these before routing (FST_ERR_MAX_PARAM_LENGTH, FST_ERR_BAD_URL).
    const user = await t.register();
    expectProblem(await refused(() => t.call('PUT', `/v1/sleep-logs/${'a'.repeat(500)}`, { token: user.token, body: night(1) })), 414, 'URI_TOO_LONG');
    expectProblem(await refused(() => t.call('PUT', '/v1/following/%E0%A4%A', { token: user.token, body: night(1) })), 400, 'MALFORMED_REQUEST');
  });
});

// ---------------------------------------------------------------------------------------------
// Request bodies.

describe('request bodies', () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await t.register();
  });

  it('413 for a body over 16 KiB', async () => {
    const res = await refused(() => t.call('PATCH', '/v1/me', { token: user.token, body: { displayName: 'x'.repeat(17 * 1024) } }));
    expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
    const put = await refused(() => t.call('PUT', `/v1/sleep-logs/${randomUUID()}`, { token: user.token, body: night(1, { note: 'x'.repeat(17 * 1024) }) }));
    expectProblem(put, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('415 for a body that is not JSON', async () => {
    for (const contentType of ['application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await refused(() => t.call('PATCH', '/v1/me', { token: user.token, body: 'displayName=x', headers: { 'content-type': contentType } }));
      expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('415 for a text/plain body, even one that holds JSON', async () => {
    const res = await refused(() => t.call('PATCH', '/v1/me', { token: user.token, body: '{"displayName":"x"}', headers: { 'content-type': 'text/plain' } }));
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('400 for malformed JSON', async () => {
    const res = await refused(() => t.call('PUT', `/v1/sleep-logs/${randomUUID()}`, { token: user.token, body: '{"startedAt": "2026-', headers: { 'content-type': 'application/json' } }));
    expectProblem(res, 400, 'MALFORMED_REQUEST');
  });
});

// ---------------------------------------------------------------------------------------------
// PATCH /v1/me

describe('PATCH /v1/me', () => {
  const patch = (user: TestUser, body: InjectOptions['payload'], headers: Record<string, string> = {}) => t.call('PATCH', '/v1/me', { token: user.token, body, headers });

  it('422 for an empty body: at least one field is needed', async () => {
    const user = await t.register();
    const errors = fieldErrors(await refused(() => patch(user, {})));
    expect(errors).toEqual([{ path: '', message: expect.stringMatching(/at least one of displayName and timezone/) as unknown, in: 'body' }]);
  });

  it('422 with field paths for invalid fields and unknown properties', async () => {
    const user = await t.register();
    expect(fieldErrors(await refused(() => patch(user, { displayName: '   ' })))).toEqual([{ path: '/displayName', message: expect.any(String) as unknown, in: 'body' }]);
    expect(fieldErrors(await refused(() => patch(user, { timezone: 'Mars/Olympus_Mons' })))).toEqual([{ path: '/timezone', message: expect.any(String) as unknown, in: 'body' }]);
    expect(fieldErrors(await refused(() => patch(user, { displayName: 'Ok', extra: true })))).toEqual([{ path: '/extra', message: 'unknown property', in: 'body' }]);
    expect(fieldErrors(await refused(() => patch(user, { extra: 1 })))).toEqual([{ path: '/extra', message: 'unknown property', in: 'body' }]);
    // Who is changed comes from the token only.
    expect(fieldErrors(await refused(() => patch(user, { displayName: 'Ok', userId: randomUUID() })))).toEqual([{ path: '/userId', message: 'unknown property', in: 'body' }]);
    expect(fieldErrors(await refused(() => patch(user, { handle: 'new_handle' })))).toEqual([{ path: '/handle', message: 'unknown property', in: 'body' }]);
  });

  it('changes the display name, records the whole profile and answers with it', async () => {
    const user = await t.register('Before');
    const res = await patch(user, { displayName: 'After' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ displayName: 'After', timezone: 'Europe/Berlin', revision: 1, position: expect.any(Number) as unknown });
    await expectAnswerMatchesStream(res, user.userId);
    const last = (await t.events(user.userId)).at(-1);
    expect({ type: last?.type, data: last?.data }).toEqual({ type: 'ProfileUpdated', data: { userId: user.userId, displayName: 'After', timezone: 'Europe/Berlin' } });
  });

  it('changes the time zone alone and carries the display name', async () => {
    const user = await t.register('Nomad');
    const res = await patch(user, { timezone: 'Asia/Tokyo' });
    expect(res.json()).toMatchObject({ displayName: 'Nomad', timezone: 'Asia/Tokyo', revision: 1 });
    expect((await t.events(user.userId)).at(-1)?.data).toEqual({ userId: user.userId, displayName: 'Nomad', timezone: 'Asia/Tokyo' });
  });

  it('does nothing when nothing changes, and answers with the profile as it stands', async () => {
    const user = await t.register('Same');
    const first = await patch(user, { displayName: 'Other', timezone: 'Asia/Tokyo' });
    const position = await t.store.headPosition();
    const again = await patch(user, { timezone: 'Asia/Tokyo' });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(await t.store.headPosition()).toBe(position);
    expect(await types(user.userId)).toEqual(['UserRegistered', 'ProfileUpdated']);
  });

  it("changes only the caller's own profile", async () => {
    const [alice, bob] = [await t.register('Alice'), await t.register('Bob')];
    expect((await patch(alice, { displayName: 'Mallory' })).statusCode).toBe(200);
    expect(await types(bob.userId)).toEqual(['UserRegistered']);
    expect((await t.events(bob.userId))[0]?.data).toMatchObject({ displayName: 'Bob' });
  });
});

// ---------------------------------------------------------------------------------------------
// PUT /v1/sleep-logs/:logId

describe('PUT /v1/sleep-logs/:logId', () => {
  const correct = (user: TestUser, logId: string, body: InjectOptions['payload']) => t.call('PUT', `/v1/sleep-logs/${logId}`, { token: user.token, body });

  it('422 for a malformed log id, with its path in the params', async () => {
    const user = await t.register();
    expect(fieldErrors(await refused(() => correct(user, 'not-a-uuid', night(1))))).toEqual([{ path: '/logId', message: expect.any(String) as unknown, in: 'params' }]);
    expect(fieldErrors(await refused(() => correct(user, randomUUID().toUpperCase(), night(1))))[0]).toMatchObject({ path: '/logId', in: 'params' });
  });

  it('422 with field paths for bad bodies and unknown properties', async () => {
    const user = await t.register();
    const logId = await logSleep(user, 1);
    const paths = async (body: Json) => fieldErrors(await refused(() => correct(user, logId, body))).map((e) => e.path);
    expect(await paths({})).toEqual(['/startedAt', '/endedAt']);
    expect(await paths(night(1, { endedAt: '2026-11-02T06:00:00' }))).toEqual(['/endedAt']);
    expect(await paths(night(1, { quality: 6 }))).toEqual(['/quality']);
    expect(await paths(night(1, { quality: 4.5 }))).toEqual(['/quality']);
    expect(await paths(night(1, { note: 'n'.repeat(281) }))).toEqual(['/note']);
    expect(fieldErrors(await refused(() => correct(user, logId, night(1, { extra: 1 }))))).toEqual([{ path: '/extra', message: 'unknown property', in: 'body' }]);
    expect(fieldErrors(await refused(() => correct(user, logId, night(1, { userId: randomUUID() }))))).toEqual([{ path: '/userId', message: 'unknown property', in: 'body' }]);
    expect(fieldErrors(await refused(() => correct(user, logId, night(1, { logId: randomUUID() }))))).toEqual([{ path: '/logId', message: 'unknown property', in: 'body' }]);
  });

  it('corrects the log and records the new facts', async () => {
    const user = await t.register();
    const logId = await logSleep(user, 3);
    // 23:30 → 07:15 UTC: 465 minutes, woke on the 4th in Berlin.
    const res = await correct(user, logId, { startedAt: '2026-11-04T00:30:00+01:00', endedAt: '2026-11-04T08:15:00+01:00', quality: 2, note: 'noisy' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ logId, revision: 2, position: expect.any(Number) as unknown });
    await expectAnswerMatchesStream(res, user.userId);
    const last = (await t.events(user.userId)).at(-1);
    expect({ type: last?.type, data: last?.data }).toEqual({
      type: 'SleepLogCorrected',
      data: {
        userId: user.userId,
        logId,
        startedAt: '2026-11-03T23:30:00.000Z',
        endedAt: '2026-11-04T07:15:00.000Z',
        durationMinutes: 465,
        timezone: 'Europe/Berlin',
        wakeDate: '2026-11-04',
        quality: 2,
        note: 'noisy',
      },
    });
  });

  it('does nothing when the correction repeats the facts as they stand', async () => {
    const user = await t.register();
    const logId = await logSleep(user, 5);
    const before = await t.store.headPosition();
    const res = await correct(user, logId, night(5));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ logId, revision: 1 });
    expect(await t.store.headPosition()).toBe(before);
    expect(await types(user.userId)).toEqual(['UserRegistered', 'SleepLogged']);
  });

  it('404 LOG_NOT_FOUND for a log that does not exist', async () => {
    const user = await t.register();
    expectProblem(await refused(() => correct(user, randomUUID(), night(1))), 404, 'LOG_NOT_FOUND');
  });

  it('410 LOG_RETRACTED for a retracted log', async () => {
    const user = await t.register();
    const logId = await logSleep(user, 1);
    expect((await t.call('DELETE', `/v1/sleep-logs/${logId}`, { token: user.token })).statusCode).toBe(200);
    expectProblem(await refused(() => correct(user, logId, night(1, { quality: 3 }))), 410, 'LOG_RETRACTED');
  });

  it('409 SLEEP_OVERLAPS for a correction into another log, but not into itself', async () => {
    const user = await t.register();
    const first = await logSleep(user, 7);
    await logSleep(user, 8);
    // The second night starts at 22:00 on the 8th.
    expectProblem(await refused(() => correct(user, first, { startedAt: '2026-11-08T01:00:00Z', endedAt: '2026-11-08T22:30:00Z' })), 409, 'SLEEP_OVERLAPS');
    expect((await correct(user, first, { startedAt: '2026-11-07T21:00:00Z', endedAt: '2026-11-08T05:00:00Z' })).statusCode).toBe(200);
  });

  it('422 for impossible intervals', async () => {
    const user = await t.register();
    const logId = await logSleep(user, 10);
    const at = (startedAt: string, endedAt: string) => refused(() => correct(user, logId, { startedAt, endedAt }));
    expectProblem(await at('2026-11-11T06:00:00Z', '2026-11-11T05:00:00Z'), 422, 'SLEEP_ENDS_BEFORE_START');
    expectProblem(await at('2026-11-10T06:00:00Z', '2026-11-11T06:00:01Z'), 422, 'SLEEP_TOO_LONG');
    expectProblem(await at('2026-11-21T05:00:00Z', '2026-11-21T12:05:01Z'), 422, 'SLEEP_IN_FUTURE');
  });

  it("404 for another user's log, which stays as it was", async () => {
    const [alice, bob] = [await t.register(), await t.register()];
    const bobsLog = await logSleep(bob, 12);
    const bobsEvents = await t.events(bob.userId);
    expectProblem(await refused(() => correct(alice, bobsLog, night(12, { quality: 1 }))), 404, 'LOG_NOT_FOUND');
    expect(await t.events(bob.userId)).toEqual(bobsEvents);
    expect(await types(alice.userId)).toEqual(['UserRegistered']);
  });
});

// ---------------------------------------------------------------------------------------------
// DELETE /v1/sleep-logs/:logId

describe('DELETE /v1/sleep-logs/:logId', () => {
  const retract = (user: TestUser, logId: string) => t.call('DELETE', `/v1/sleep-logs/${logId}`, { token: user.token });

  it('422 for a malformed log id, with its path in the params', async () => {
    const user = await t.register();
    expect(fieldErrors(await refused(() => retract(user, 'nope')))).toEqual([{ path: '/logId', message: expect.any(String) as unknown, in: 'params' }]);
  });

  it('retracts the log', async () => {
    const user = await t.register();
    const logId = await logSleep(user, 2);
    const res = await retract(user, logId);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ logId, revision: 2, position: expect.any(Number) as unknown });
    await expectAnswerMatchesStream(res, user.userId);
    const last = (await t.events(user.userId)).at(-1);
    expect({ type: last?.type, data: last?.data }).toEqual({ type: 'SleepLogRetracted', data: { userId: user.userId, logId } });
  });

  it('410 LOG_RETRACTED the second time', async () => {
    const user = await t.register();
    const logId = await logSleep(user, 2);
    expect((await retract(user, logId)).statusCode).toBe(200);
    expectProblem(await refused(() => retract(user, logId)), 410, 'LOG_RETRACTED');
    expect(await types(user.userId)).toEqual(['UserRegistered', 'SleepLogged', 'SleepLogRetracted']);
  });

  it('404 LOG_NOT_FOUND for a log that does not exist', async () => {
    const user = await t.register();
    expectProblem(await refused(() => retract(user, randomUUID())), 404, 'LOG_NOT_FOUND');
  });

  it("404 for another user's log, which stays as it was", async () => {
    const [alice, bob] = [await t.register(), await t.register()];
    const bobsLog = await logSleep(bob, 14);
    const bobsEvents = await t.events(bob.userId);
    expectProblem(await refused(() => retract(alice, bobsLog)), 404, 'LOG_NOT_FOUND');
    expect(await t.events(bob.userId)).toEqual(bobsEvents);
  });

  it('lets the retracted night be logged over', async () => {
    const user = await t.register();
    const logId = await logSleep(user, 16);
    expect((await retract(user, logId)).statusCode).toBe(200);
    await logSleep(user, 16);
    expect(await types(user.userId)).toEqual(['UserRegistered', 'SleepLogged', 'SleepLogRetracted', 'SleepLogged']);
  });
});

// ---------------------------------------------------------------------------------------------
// PUT and DELETE /v1/following/:userId

describe('PUT /v1/following/:userId', () => {
  const follow = (user: TestUser, followeeId: string, headers: Record<string, string> = {}) => t.call('PUT', `/v1/following/${followeeId}`, { token: user.token, headers });
  const unfollow = (user: TestUser, followeeId: string) => t.call('DELETE', `/v1/following/${followeeId}`, { token: user.token });

  it('422 for a malformed user id, with its path in the params', async () => {
    const user = await t.register();
    expect(fieldErrors(await refused(() => follow(user, 'bob')))).toEqual([{ path: '/userId', message: expect.any(String) as unknown, in: 'params' }]);
  });

  it("follows: the event is in the follower's stream only", async () => {
    const [alice, bob] = [await t.register(), await t.register()];
    const res = await follow(alice, bob.userId);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ followeeId: bob.userId, revision: 1, position: expect.any(Number) as unknown });
    await expectAnswerMatchesStream(res, alice.userId);
    const last = (await t.events(alice.userId)).at(-1);
    expect({ type: last?.type, data: last?.data }).toEqual({ type: 'Followed', data: { userId: alice.userId, followeeId: bob.userId } });
    expect(await types(bob.userId)).toEqual(['UserRegistered']);
  });

  it('appends one event when following twice, and answers the same', async () => {
    const [alice, bob] = [await t.register(), await t.register()];
    const first = await follow(alice, bob.userId);
    const again = await follow(alice, bob.userId);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(await types(alice.userId)).toEqual(['UserRegistered', 'Followed']);
  });

  it('follows again after an unfollow', async () => {
    const [alice, bob] = [await t.register(), await t.register()];
    expect((await follow(alice, bob.userId)).statusCode).toBe(200);
    expect((await unfollow(alice, bob.userId)).statusCode).toBe(200);
    const res = await follow(alice, bob.userId);
    expect(res.json()).toMatchObject({ followeeId: bob.userId, revision: 3 });
    expect(await types(alice.userId)).toEqual(['UserRegistered', 'Followed', 'Unfollowed', 'Followed']);
  });

  it('404 FOLLOWEE_NOT_FOUND for a user who is not registered', async () => {
    const alice = await t.register();
    const nobody = randomUUID();
    expectProblem(await refused(() => follow(alice, nobody)), 404, 'FOLLOWEE_NOT_FOUND');
    expect(await t.events(nobody as UserId)).toEqual([]);
  });

  it('422 CANNOT_FOLLOW_SELF: the self check is the decider’s, before any lookup of the followee', async () => {
    const alice = await t.register();
    expectProblem(await refused(() => follow(alice, alice.userId)), 422, 'CANNOT_FOLLOW_SELF');
    // A subject that never registered is not a followee that was not found: it is the caller.
    const ghost = randomUUID() as UserId;
    const ghostToken = await t.tokenFor(ghost);
    expectProblem(await refused(() => t.call('PUT', `/v1/following/${ghost}`, { token: ghostToken })), 404, 'USER_NOT_FOUND');
  });

  it('404 USER_NOT_FOUND when the follower never registered, even for an existing followee', async () => {
    const bob = await t.register();
    const ghostToken = await t.tokenFor(randomUUID() as UserId);
    expectProblem(await refused(() => t.call('PUT', `/v1/following/${bob.userId}`, { token: ghostToken })), 404, 'USER_NOT_FOUND');
  });

  it('gives two users who send the same Idempotency-Key each their own event', async () => {
    const [alice, bob, carol] = [await t.register(), await t.register(), await t.register()];
    const key = { 'idempotency-key': 'same-key-for-both' };
    expect((await follow(alice, carol.userId, key)).statusCode).toBe(200);
    const bobs = await follow(bob, carol.userId, key);
    expect(bobs.statusCode, bobs.body).toBe(200);
    expect(await types(bob.userId)).toEqual(['UserRegistered', 'Followed']);
    const ids = [(await t.events(alice.userId)).at(-1)?.metadata.eventId, (await t.events(bob.userId)).at(-1)?.metadata.eventId];
    expect(new Set(ids).size).toBe(2);
  });
});

describe('DELETE /v1/following/:userId', () => {
  const follow = (user: TestUser, followeeId: string) => t.call('PUT', `/v1/following/${followeeId}`, { token: user.token });
  const unfollow = (user: TestUser, followeeId: string) => t.call('DELETE', `/v1/following/${followeeId}`, { token: user.token });

  it('422 for a malformed user id, with its path in the params', async () => {
    const user = await t.register();
    expect(fieldErrors(await refused(() => unfollow(user, '123')))).toEqual([{ path: '/userId', message: expect.any(String) as unknown, in: 'params' }]);
  });

  it("unfollows: the event is in the follower's stream only", async () => {
    const [alice, bob] = [await t.register(), await t.register()];
    expect((await follow(alice, bob.userId)).statusCode).toBe(200);
    const res = await unfollow(alice, bob.userId);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ followeeId: bob.userId, revision: 2, position: expect.any(Number) as unknown });
    await expectAnswerMatchesStream(res, alice.userId);
    const last = (await t.events(alice.userId)).at(-1);
    expect({ type: last?.type, data: last?.data }).toEqual({ type: 'Unfollowed', data: { userId: alice.userId, followeeId: bob.userId } });
    expect(await types(bob.userId)).toEqual(['UserRegistered']);
  });

  it('does nothing for someone the caller does not follow, registered or not', async () => {
    const [alice, bob] = [await t.register(), await t.register()];
    const before = await t.store.headPosition();
    for (const followeeId of [bob.userId, randomUUID(), alice.userId]) {
      const res = await unfollow(alice, followeeId);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ followeeId, revision: 0 });
    }
    expect(await t.store.headPosition()).toBe(before);
  });

  it('appends one event when unfollowing twice', async () => {
    const [alice, bob] = [await t.register(), await t.register()];
    expect((await follow(alice, bob.userId)).statusCode).toBe(200);
    const first = await unfollow(alice, bob.userId);
    const again = await unfollow(alice, bob.userId);
    expect(again.json()).toEqual(first.json());
    expect(await types(alice.userId)).toEqual(['UserRegistered', 'Followed', 'Unfollowed']);
  });

  it("cannot end someone else's follow", async () => {
    const [alice, bob, carol] = [await t.register(), await t.register(), await t.register()];
    expect((await follow(bob, carol.userId)).statusCode).toBe(200);
    const bobsEvents = await t.events(bob.userId);
    // Alice's token acts on Alice's stream: she does not follow carol, so nothing happens anywhere.
    expect((await unfollow(alice, carol.userId)).statusCode).toBe(200);
    expect(await t.events(bob.userId)).toEqual(bobsEvents);
    expect(await types(alice.userId)).toEqual(['UserRegistered']);
  });
});

describe('OpenAPI', () => {
  it('documents every command route, with its path parameters', async () => {
    type Operation = { security?: unknown; parameters?: { name: string; in: string; schema: unknown }[] };
    const doc = (await t.call('GET', '/docs/json')).json<{ paths: Record<string, Record<string, Operation>> }>();
    expect(Object.keys(doc.paths['/v1/me'] ?? {})).toContain('patch');
    expect(Object.keys(doc.paths['/v1/sleep-logs/{logId}'] ?? {}).sort()).toEqual(['delete', 'put']);
    expect(Object.keys(doc.paths['/v1/following/{userId}'] ?? {}).sort()).toEqual(['delete', 'put']);
    for (const [path, method, name] of [
      ['/v1/sleep-logs/{logId}', 'put', 'logId'],
      ['/v1/sleep-logs/{logId}', 'delete', 'logId'],
      ['/v1/following/{userId}', 'put', 'userId'],
      ['/v1/following/{userId}', 'delete', 'userId'],
    ] as const) {
      const operation = doc.paths[path]?.[method];
      expect(operation?.security).toEqual([{ bearer: [] }]);
      expect(operation?.parameters).toEqual([expect.objectContaining({ name, in: 'path', schema: { type: 'string', format: 'uuid' } })]);
    }
  });
});
