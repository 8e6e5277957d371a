import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as E from 'fp-ts/lib/Either.js';
import { sendProblem, validationProblem } from '../shared/http/problem.js';
import { awaitPosition, consistencyHeader } from '../shared/projections/progress.js';
import type { QueryDeps } from './deps.js';

/** Which projection serves which read route: the one a client's write must have reached. */
const projectionOf = (url: string): string | undefined => {
  if (url.startsWith('/v1/feed')) return 'feeds';
  if (url.startsWith('/v1/leaderboards')) return 'leaderboards';
  if (url.startsWith('/v1/users')) return 'tables';
  return undefined;
};

/**
 * Read-your-writes: a read may pass `minPosition` (the `position` a command answered). The read then
 * waits, up to a bound, until the projection behind it has applied the caller's own stream up to
 * that position, and says in `Read-Consistency` whether it got there (`fresh`) or how far
 * (`stale; applied=…; requested=…`). The parameter is taken off the query before the route decodes it.
 */
/** Reads that waited for a position: a route must not answer them from anything it reused. */
const waited = new WeakSet<FastifyRequest>();
export const readsOwnWrite = (request: FastifyRequest): boolean => waited.has(request);

export const readYourWrites = (app: FastifyInstance, deps: QueryDeps): void => {
  const waitFor = async (request: FastifyRequest, reply: FastifyReply, raw: unknown): Promise<void> => {
    if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) {
      await sendProblem(reply, validationProblem([{ path: '/minPosition', message: 'expected a position (a non-negative integer)' }], 'query'));
      return;
    }
    const projection = projectionOf(request.routeOptions.url ?? '');
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const principal = bearer ? deps.tokens.verify(bearer) : undefined;
    // Without a valid token the route itself answers 401; without a projection there is nothing to wait for.
    if (!projection || !principal || E.isLeft(principal)) return;
    const requested = Number(raw);
    waited.add(request);
    const consistency = await awaitPosition(deps.redis, deps.redisPrefix, projection, `user-${principal.right.userId}`, requested, deps.readYourWritesTimeoutMs);
    reply.header('read-consistency', consistencyHeader(consistency, requested));
    if (!consistency.reached) reply.header('cache-control', 'no-store');
  };
  // Callback-style hooks: most reads pass no minPosition and should not pay for a promise per hook.
  app.addHook('preHandler', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    const query = request.query as Record<string, unknown> | undefined;
    const raw = query?.minPosition;
    if (raw === undefined) return done();
    delete query?.minPosition;
    waitFor(request, reply, raw).then(() => done(), done);
  });
  // The route may set its own Cache-Control later; a stale answer must still not be cached.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (String(reply.getHeader('read-consistency') ?? '').startsWith('stale')) reply.header('cache-control', 'no-store');
    done(null, payload);
  });
};
