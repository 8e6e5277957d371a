import type { FastifyInstance } from 'fastify';
import { SignInBody } from '../../shared/commands/index.js';
import { routeSchema } from '../../shared/http/openapi.js';
import { correlationIdOf, decodeRequest } from '../../shared/http/decode.js';
import { problem, sendProblem } from '../../shared/http/problem.js';
import type { CommandDeps } from '../deps.js';
import { ownerOfHandle } from '../register-user/handle-claim.js';
import { currentPasswordHash } from '../register-user/credentials.js';
import { DUMMY_HASH, verifyPassword } from '../register-user/password.js';

/** POST /v1/sessions: one answer for "no such handle" and "wrong password", in the same time. */
export const signInRoute = (deps: CommandDeps) => (app: FastifyInstance) => {
  const schema = routeSchema({ summary: 'Sign in with handle and password; answers a token', tags: ['users'], body: SignInBody });
  app.post('/v1/sessions', { schema }, async (request, reply) => {
    const body = decodeRequest(SignInBody, request, reply);
    if (!body) return reply;
    const userId = await ownerOfHandle(deps.store, body.handle);
    const hash = userId ? await currentPasswordHash(deps.store, userId) : undefined;
    const ok = await verifyPassword(body.password, hash ?? DUMMY_HASH);
    const signedIn = Boolean(userId && hash && ok);
    deps.observe?.({ command: 'SignIn', outcome: signedIn ? 'ok' : 'INVALID_CREDENTIALS', userId, correlationId: correlationIdOf(request) });
    if (!userId || !hash || !ok) return sendProblem(reply, problem('INVALID_CREDENTIALS', 'Unknown handle or wrong password.'));
    const token = await deps.tokens.issue({ userId, roles: ['user'] }, Math.floor(deps.clock() / 1000));
    return reply.code(200).send({ userId, token });
  });
};
