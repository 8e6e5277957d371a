import type { FastifyReply, FastifyRequest } from 'fastify';
import * as E from 'fp-ts/lib/Either.js';
import { problem, sendProblem } from '../http/problem.js';
import type { Principal, Role, TokenService } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Null until `authenticate` has run; declared on every request by `buildHttpApp`. */
    principal: Principal | null;
  }
}

const BEARER = 'Bearer ';

/**
 * A preHandler that requires a valid bearer token (and optionally a role) and records who acts.
 * Routes read the actor only from here, never from a body or a path.
 */
// Callback style, and synchronous: every authenticated request runs it, and an async hook would
// cost each of them a promise. A hook that answers must not call `done`.
export const authenticate =
  (tokens: TokenService, role?: Role) =>
  (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const header = request.headers.authorization;
    // The token's own syntax is the token service's to judge, and only for tokens it has not seen.
    const token = header?.startsWith(BEARER) ? header.slice(BEARER.length) : '';
    if (token === '') {
      sendProblem(reply.header('www-authenticate', 'Bearer'), problem('UNAUTHENTICATED', 'Send Authorization: Bearer <token>.'));
      return;
    }
    const verified = tokens.verify(token);
    if (E.isLeft(verified)) {
      sendProblem(reply.header('www-authenticate', 'Bearer error="invalid_token"'), problem('UNAUTHENTICATED', verified.left));
      return;
    }
    if (role && !verified.right.roles.includes(role)) {
      sendProblem(reply, problem('FORBIDDEN', `Requires the ${role} role.`));
      return;
    }
    request.principal = verified.right;
    done();
  };

/** For handlers behind `authenticate`: the principal is always there. */
export const principalOf = (request: FastifyRequest): Principal => {
  if (!request.principal) throw new Error('route is missing the authenticate preHandler');
  return request.principal;
};
