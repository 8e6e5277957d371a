import type { FastifyInstance } from 'fastify';
import * as E from 'fp-ts/lib/Either.js';
import { RegisterUserBody } from '../../shared/commands/index.js';
import type { UserId } from '../../shared/events/index.js';
import { routeSchema } from '../../shared/http/openapi.js';
import { correlationIdOf, decodeRequest } from '../../shared/http/decode.js';
import { problem, sendProblem } from '../../shared/http/problem.js';
import { nameBasedId } from '../../shared/ids.js';
import type { CommandDeps } from '../deps.js';
import { handleUserCommand } from '../user-stream/handle.js';
import { sendOutcome } from '../reply.js';
import { claimHandle } from './handle-claim.js';
import { setInitialPassword } from './credentials.js';
import { hashPassword } from './password.js';

/**
 * POST /v1/users: claim the handle, store the password hash, then register the user stream.
 * Each step is idempotent for the same user id, so a retry (same Idempotency-Key) completes a
 * registration that was cut off half-way.
 */
export const registerUserRoute = (deps: CommandDeps) => (app: FastifyInstance) => {
  const schema = routeSchema({ summary: 'Register a user; answers a token', tags: ['users'], body: RegisterUserBody });
  app.post('/v1/users', { schema }, async (request, reply) => {
    const body = decodeRequest(RegisterUserBody, request, reply);
    if (!body) return reply;
    const key = request.headers['idempotency-key'];
    const commandId = typeof key === 'string' ? nameBasedId('register', key) : deps.ids();
    const userId = nameBasedId('user', commandId) as UserId;
    const meta = { commandId, correlationId: correlationIdOf(request), now: deps.clock() };

    const claimed = await claimHandle(deps.store, body.handle, userId, meta);
    if (E.isLeft(claimed)) {
      deps.observe?.({ command: 'RegisterUser', outcome: 'HANDLE_TAKEN', userId, correlationId: meta.correlationId });
      return sendProblem(reply, problem('HANDLE_TAKEN', `The handle "${body.handle}" is taken.`));
    }
    await setInitialPassword(deps.store, userId, await hashPassword(body.password), meta);

    const outcome = await handleUserCommand(deps, {
      userId,
      command: { type: 'RegisterUser', data: { userId, handle: body.handle, displayName: body.displayName, timezone: body.timezone } },
      commandId,
      correlationId: meta.correlationId,
      causationId: null,
    });
    const token = await deps.tokens.issue({ userId, roles: ['user'] }, Math.floor(deps.clock() / 1000));
    return sendOutcome(reply.header('location', `/v1/users/${userId}`), outcome, 201, { userId, token });
  });
};
