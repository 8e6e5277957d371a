import type { TokenSettings } from '../../shared/auth/tokens.js';

/** Token settings shared by the bench's own servers and the bench process that signs for them. */
export const BENCH_TOKENS: TokenSettings = {
  secret: 'bench-only-secret-0123456789abcdef0123456789',
  issuer: 'sleepsocial',
  audience: 'sleepsocial-api',
  ttlSeconds: 3_600,
};
