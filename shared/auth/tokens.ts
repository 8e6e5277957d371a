import { createSecretKey } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import * as E from 'fp-ts/lib/Either.js';
import { UserId } from '../events/ids.js';

export type TokenSettings = { readonly secret: string; readonly issuer: string; readonly audience: string; readonly ttlSeconds: number };
export type Role = 'user' | 'auditor';
export type Principal = { readonly userId: UserId; readonly roles: readonly Role[] };

// Pinned: a token claiming any other algorithm (including `none`) is refused by jwtVerify.
const ALGORITHM = 'HS256';

export type TokenService = {
  issue(principal: Principal, nowSeconds: number): Promise<string>;
  verify(token: string): Promise<E.Either<string, Principal>>;
};

/** `clock` decides expiry on verification, so a service built on a test clock agrees with itself. */
export const createTokenService = (s: TokenSettings, clock: () => number = Date.now): TokenService => {
  // A KeyObject made once: with raw bytes, jose imports the HMAC key again on every sign and verify.
  const key = createSecretKey(Buffer.from(s.secret, 'utf8'));
  return {
    issue: (principal, nowSeconds) =>
      new SignJWT({ roles: principal.roles })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setSubject(principal.userId)
        .setIssuer(s.issuer)
        .setAudience(s.audience)
        .setIssuedAt(nowSeconds)
        .setExpirationTime(nowSeconds + s.ttlSeconds)
        .sign(key),
    verify: async (token) => {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [ALGORITHM],
          issuer: s.issuer,
          audience: s.audience,
          requiredClaims: ['sub', 'exp'],
          currentDate: new Date(clock()),
        });
        const userId = UserId.decode(payload.sub);
        if (E.isLeft(userId)) return E.left('subject is not a user id');
        const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is Role => r === 'user' || r === 'auditor') : [];
        return E.right({ userId: userId.right, roles });
      } catch (error) {
        if (error instanceof errors.JWTExpired) return E.left('token expired');
        if (error instanceof errors.JOSEError) return E.left(`invalid token (${error.code})`);
        throw error;
      }
    },
  };
};
