import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { authenticate } from '../../shared/auth/authenticate.js';
import { decodeRequest } from '../../shared/http/decode.js';
import { routeSchema } from '../../shared/http/openapi.js';
import { problem, sendProblem } from '../../shared/http/problem.js';
import { loadProfile, PROFILE_TTL_SECONDS, profileKey, type Profile } from '../../shared/profiles/profile.js';
import { UserPath } from '../access.js';
import type { QueryDeps } from '../deps.js';
import { etagOf, noneMatch } from './etag.js';

/** What the cache holds, decoded like any other outside input (annotated so it cannot drift from Profile). */
const CachedProfile: t.Type<Profile, Profile, unknown> = t.exact(
  t.type({
    id: t.string,
    handle: t.string,
    displayName: t.string,
    timezone: t.string,
    registeredAt: t.string,
    followers: t.number,
    following: t.number,
  }),
);

const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // not JSON: decoding fails below and the entry counts as a miss
  }
};

/**
 * Cache-aside over Memcached. A miss is filled with ADD, never SET: the tables projector writes
 * fresh profiles with SET after each commit, and a reader holding an older row must not overwrite
 * one. The cache is an optimisation, so any failure of it is logged and MySQL answers instead.
 */
const cachedProfile = async (deps: QueryDeps, request: FastifyRequest, userId: string): Promise<Profile | undefined> => {
  const key = profileKey(deps.redisPrefix, userId);
  try {
    const hit = await deps.cache.get(key);
    if (hit !== undefined) {
      const decoded = CachedProfile.decode(parsed(hit));
      if (E.isRight(decoded) && decoded.right.id === userId) return decoded.right;
      request.log.warn({ key }, 'profile cache entry does not decode; reading MySQL');
    }
  } catch (error) {
    request.log.warn({ err: error, key }, 'profile cache read failed; reading MySQL');
  }
  const profile = await loadProfile(deps.pool, userId);
  if (!profile) return undefined;
  try {
    await deps.cache.add(key, JSON.stringify(profile), PROFILE_TTL_SECONDS);
  } catch (error) {
    request.log.warn({ err: error, key }, 'profile cache fill failed');
  }
  return profile;
};

const sendCacheable = (request: FastifyRequest, reply: FastifyReply, body: string) => {
  const etag = etagOf(body);
  reply.header('etag', etag).header('cache-control', 'private, max-age=5');
  if (noneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(body);
};

/** GET /v1/users/:userId: a public profile (names, time zone, follow counts). */
export const profileRoute = (deps: QueryDeps) => (app: FastifyInstance): void => {
  const schema = routeSchema({ summary: 'A user’s public profile', tags: ['users'], auth: true, params: UserPath });
  app.get('/v1/users/:userId', { schema, preHandler: authenticate(deps.tokens) }, async (request, reply) => {
    const path = decodeRequest(UserPath, request, reply, 'params');
    if (!path) return reply;
    const profile = await cachedProfile(deps, request, path.userId);
    if (!profile) return sendProblem(reply, problem('USER_NOT_FOUND', `No user ${path.userId}.`));
    // Fixed key order: the same profile always serialises to the same bytes and the same ETag.
    const { id, handle, displayName, timezone, registeredAt, followers, following } = profile;
    return sendCacheable(request, reply, JSON.stringify({ id, handle, displayName, timezone, registeredAt, followers, following }));
  });
};
