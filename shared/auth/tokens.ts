import { createSigner, createVerifier, TokenError } from 'fast-jwt';
import * as E from 'fp-ts/lib/Either.js';
import { UserId } from '../events/ids.js';

export type TokenSettings = { readonly secret: string; readonly issuer: string; readonly audience: string; readonly ttlSeconds: number };
export type Role = 'user' | 'auditor';
export type Principal = { readonly userId: UserId; readonly roles: readonly Role[] };

// Pinned: a token claiming any other algorithm (including `none`) is refused by the verifier.
const ALGORITHM = 'HS256';
// Verified tokens are remembered (keyed by a hash of the whole token), so a client's repeated
// requests skip the HMAC and the JSON parse; a bounded cache, so a flood of tokens cannot grow it.
const VERIFIED_CACHE_SIZE = 10_000;
const VERIFIED_CACHE_TTL_MS = 60_000;

export type TokenService = {
  issue(principal: Principal, nowSeconds: number): Promise<string>;
  verify(token: string): Promise<E.Either<string, Principal>>;
};

const claimsOf = (payload: unknown): E.Either<string, Principal & { readonly exp: number }> => {
  const claims = (payload ?? {}) as Record<string, unknown>;
  const userId = UserId.decode(claims.sub);
  if (E.isLeft(userId)) return E.left('subject is not a user id');
  if (typeof claims.exp !== 'number') return E.left('invalid token (missing exp)');
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is Role => r === 'user' || r === 'auditor') : [];
  return E.right({ userId: userId.right, roles, exp: claims.exp });
};

/**
 * `clock` decides expiry on verification, so a service built on a test clock agrees with itself:
 * the library checks signature, algorithm, issuer and audience (and caches that verdict); expiry
 * is checked here on every call against `clock`, so a cached token still expires on time.
 */
export const createTokenService = (s: TokenSettings, clock: () => number = Date.now): TokenService => {
  const sign = createSigner({ key: s.secret, algorithm: ALGORITHM, noTimestamp: true });
  const verifyToken = createVerifier({
    key: s.secret,
    algorithms: [ALGORITHM],
    allowedIss: s.issuer,
    allowedAud: s.audience,
    requiredClaims: ['sub', 'exp', 'iss', 'aud'],
    ignoreExpiration: true,
    cache: VERIFIED_CACHE_SIZE,
    cacheTTL: VERIFIED_CACHE_TTL_MS,
  });
  return {
    issue: (principal, nowSeconds) =>
      Promise.resolve(
        sign({ roles: principal.roles, sub: principal.userId, iss: s.issuer, aud: s.audience, iat: nowSeconds, exp: nowSeconds + s.ttlSeconds }),
      ),
    verify: (token) => {
      try {
        const claims = claimsOf(verifyToken(token));
        if (E.isLeft(claims)) return Promise.resolve(claims);
        if (claims.right.exp * 1000 <= clock()) return Promise.resolve(E.left('token expired'));
        return Promise.resolve(E.right({ userId: claims.right.userId, roles: claims.right.roles }));
      } catch (error) {
        if (error instanceof TokenError) return Promise.resolve(E.left(`invalid token (${error.code})`));
        throw error;
      }
    },
  };
};
