import { createHmac } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { UserId } from '../events/ids.js';
import { createTokenService, type TokenSettings } from './tokens.js';

const settings: TokenSettings = { secret: 'a-test-secret-of-enough-length-000', issuer: 'sleepsocial', audience: 'sleepsocial-api', ttlSeconds: 600 };
const alice = '0b7c6f0e-3c1d-4f7e-9a43-2f8a4c1e9d10' as UserId;
const NOW = 1_800_000_000;

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const handMade = (header: object, claims: object, secret = settings.secret, hash = 'sha256') => {
  const input = `${b64url(header)}.${b64url(claims)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
};
const validClaims = { sub: alice, iss: settings.issuer, aud: settings.audience, exp: NOW + 60, roles: ['user'] };

describe('token service', () => {
  it('verifies what it issued, with the roles it was given', async () => {
    const tokens = createTokenService(settings, () => NOW * 1000);
    const token = await tokens.issue({ userId: alice, roles: ['user', 'auditor'] }, NOW);
    expect(tokens.verify(token)).toEqual(E.right({ userId: alice, roles: ['user', 'auditor'] }));
  });

  it('expires a token on its clock, even after it verified it once (and cached the verdict)', async () => {
    let now = NOW * 1000;
    const tokens = createTokenService(settings, () => now);
    const token = await tokens.issue({ userId: alice, roles: ['user'] }, NOW);
    expect(E.isRight(tokens.verify(token))).toBe(true);
    now = (NOW + settings.ttlSeconds) * 1000;
    expect(tokens.verify(token)).toEqual(E.left('token expired'));
  });

  it.each([
    ['another secret', handMade({ alg: 'HS256', typ: 'JWT' }, validClaims, 'someone-elses-secret-of-length-000')],
    ['another algorithm', handMade({ alg: 'HS512', typ: 'JWT' }, validClaims, settings.secret, 'sha512')],
    ['alg none', `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(validClaims)}.`],
    ['another issuer', handMade({ alg: 'HS256' }, { ...validClaims, iss: 'elsewhere' })],
    ['another audience', handMade({ alg: 'HS256' }, { ...validClaims, aud: 'other-api' })],
    ['no expiry', handMade({ alg: 'HS256' }, { sub: alice, iss: settings.issuer, aud: settings.audience })],
    ['garbage', 'not.a.token'],
    ['characters a token cannot have', 'not a token'],
  ])('refuses a token with %s', (_label, token) => {
    const tokens = createTokenService(settings, () => NOW * 1000);
    const verdict = tokens.verify(token);
    expect(E.isLeft(verdict) && verdict.left).toMatch(/^invalid token \(/);
  });

  it('answers each remembered token with its own principal, and still refuses a forgery of one', async () => {
    const tokens = createTokenService(settings, () => NOW * 1000);
    const bob = '5d1e2f30-4a5b-4c6d-8e7f-9a0b1c2d3e4f' as UserId;
    const [a, b] = await Promise.all([tokens.issue({ userId: alice, roles: ['user'] }, NOW), tokens.issue({ userId: bob, roles: ['auditor'] }, NOW)]);
    for (let round = 0; round < 3; round++) {
      expect(tokens.verify(a)).toEqual(E.right({ userId: alice, roles: ['user'] }));
      expect(tokens.verify(b)).toEqual(E.right({ userId: bob, roles: ['auditor'] }));
    }
    const [header, , signature] = a.split('.');
    expect(E.isLeft(tokens.verify(`${header}.${b64url({ ...validClaims, roles: ['auditor'] })}.${signature}`))).toBe(true);
  });

  it('refuses a valid token with anything added, after remembering it', async () => {
    const tokens = createTokenService(settings, () => NOW * 1000);
    const token = await tokens.issue({ userId: alice, roles: ['user'] }, NOW);
    expect(E.isRight(tokens.verify(token))).toBe(true);
    for (const changed of [`${token} `, `x${token}`, `${token}\n`]) expect(E.isLeft(tokens.verify(changed))).toBe(true);
    expect(tokens.verify(token)).toEqual(E.right({ userId: alice, roles: ['user'] }));
  });

  it('refuses a signed token whose subject is not a user id', () => {
    const tokens = createTokenService(settings, () => NOW * 1000);
    expect(tokens.verify(handMade({ alg: 'HS256' }, { ...validClaims, sub: 'root' }))).toEqual(E.left('subject is not a user id'));
  });

  it('accepts a hand-made token signed with the right secret (interoperable HS256)', () => {
    const tokens = createTokenService(settings, () => NOW * 1000);
    expect(tokens.verify(handMade({ alg: 'HS256', typ: 'JWT' }, validClaims))).toEqual(E.right({ userId: alice, roles: ['user'] }));
  });
});
