import { createSigner, createVerifier, TokenError } from 'fast-jwt';
import * as E from 'fp-ts/lib/Either.js';
import { UserId } from '../events/ids.js';
import { setNewest } from '../bounded-map.js';

export type TokenSettings = { readonly secret: string; readonly issuer: string; readonly audience: string; readonly ttlSeconds: number };
export type Role = 'user' | 'auditor';
export type Principal = { readonly userId: UserId; readonly roles: readonly Role[] };

// Pinned: a token claiming any other algorithm (including `none`) is refused by the verifier.
const ALGORITHM = 'HS256';
// Verified tokens are remembered, keyed by the token itself (an exact key, and no digest to
// compute per request: fast-jwt's own cache hashed every token with SHA-256), so a client's
// repeated requests skip the HMAC, the JSON parse and the claims check; bounded, oldest out first,
// so a flood of tokens cannot grow it.
const VERIFIED_CACHE_SIZE = 10_000;
const VERIFIED_CACHE_TTL_MS = 60_000;

export type TokenService = {
  issue(principal: Principal, nowSeconds: number): Promise<string>;
  /** Synchronous: the key is local, and a request's token is checked before anything else runs. */
  verify(token: string): E.Either<string, Principal>;
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
  });
  const verified = new Map<string, { readonly principal: Principal; readonly exp: number; readonly until: number }>();
  const remember = (token: string, principal: Principal, exp: number, now: number) => {
    const entry = { principal, exp, until: now + VERIFIED_CACHE_TTL_MS };
    setNewest(verified, token, entry, VERIFIED_CACHE_SIZE);
    return entry;
  };
  return {
    issue: (principal, nowSeconds) =>
      Promise.resolve(
        sign({ roles: principal.roles, sub: principal.userId, iss: s.issuer, aud: s.audience, iat: nowSeconds, exp: nowSeconds + s.ttlSeconds }),
      ),
    verify: (token) => {
      const now = clock();
      let known = verified.get(token);
      if (!known || known.until <= now) {
        try {
          const claims = claimsOf(verifyToken(token));
          if (E.isLeft(claims)) return claims;
          known = remember(token, { userId: claims.right.userId, roles: claims.right.roles }, claims.right.exp, now);
        } catch (error) {
          if (error instanceof TokenError) return E.left(`invalid token (${error.code})`);
          throw error;
        }
      }
      return known.exp * 1000 <= now ? E.left('token expired') : E.right(known.principal);
    },
  };
};
