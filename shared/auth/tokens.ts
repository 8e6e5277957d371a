import { createSigner, createVerifier, TokenError } from 'fast-jwt';
import * as E from 'fp-ts/lib/Either.js';
import { UserId } from '../events/ids.js';
import { setNewest } from '../bounded-map.js';

export type TokenSettings = { readonly secret: string; readonly issuer: string; readonly audience: string; readonly ttlSeconds: number };
export type Role = 'user' | 'auditor';
export type Principal = { readonly userId: UserId; readonly roles: readonly Role[] };

// Pinned: a token claiming any other algorithm (including `none`) is refused by the verifier.
const ALGORITHM = 'HS256';
// Verified tokens are remembered, so a client's repeated requests skip the HMAC, the JSON parse and
// the claims check (fast-jwt's own cache hashed every token with SHA-256). Keyed by the signature
// alone: hashing a whole token for the lookup cost every request ~0.5 µs, the signature is a sixth
// of it and as good as unique; a hit still requires the whole token to be the one verified, so a
// forged payload under a copied signature is verified (and refused) afresh. Bounded, oldest out
// first, so a flood of tokens cannot grow it.
const VERIFIED_CACHE_SIZE = 10_000;
const VERIFIED_CACHE_TTL_MS = 60_000;

export type TokenService = {
  issue(principal: Principal, nowSeconds: number): Promise<string>;
  /**
   * Synchronous: the key is local, and a request's token is checked before anything else runs.
   * Takes any string a client sent as a token: one with characters a token cannot have is refused.
   */
  verify(token: string): E.Either<string, Principal>;
};

/** What a bearer token may hold (RFC 6750's b64token); checked only for tokens not remembered. */
const TOKEN_SYNTAX = /^[A-Za-z0-9._~+/=-]+$/;
const signatureOf = (token: string): string => token.slice(token.lastIndexOf('.') + 1);

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
  type Verified = { readonly token: string; readonly principal: Principal; readonly exp: number; readonly until: number };
  const verified = new Map<string, Verified>();
  const remember = (token: string, principal: Principal, exp: number, now: number) => {
    const entry = { token, principal, exp, until: now + VERIFIED_CACHE_TTL_MS };
    setNewest(verified, signatureOf(token), entry, VERIFIED_CACHE_SIZE);
    return entry;
  };
  const recalled = (token: string, now: number): Verified | undefined => {
    const known = verified.get(signatureOf(token));
    return known && known.token === token && known.until > now ? known : undefined;
  };
  return {
    issue: (principal, nowSeconds) =>
      Promise.resolve(
        sign({ roles: principal.roles, sub: principal.userId, iss: s.issuer, aud: s.audience, iat: nowSeconds, exp: nowSeconds + s.ttlSeconds }),
      ),
    verify: (token) => {
      const now = clock();
      let known = recalled(token, now);
      if (!known) {
        if (!TOKEN_SYNTAX.test(token)) return E.left('invalid token (malformed)');
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
