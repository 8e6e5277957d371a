import type { FastifyInstance } from 'fastify';
import * as t from 'io-ts';
import { UserId } from '../../shared/events/index.js';
import { authenticate } from '../../shared/auth/authenticate.js';
import { routeSchema } from '../../shared/http/openapi.js';
import { decodeRequest } from '../../shared/http/decode.js';
import { problem, sendProblem } from '../../shared/http/problem.js';
import type { CommandDeps } from '../deps.js';
import { handleUserCommand } from '../user-stream/handle.js';
import { commandIdOf, commandRequestOf, invalidIfMatch, sendOutcome } from '../reply.js';

const FolloweePath = t.strict({ userId: UserId }, 'FolloweePath');

/** DELETE /v1/following/:userId: the caller stops following that user; not following them is no error. */
export const unfollowRoute = (deps: CommandDeps) => (app: FastifyInstance) => {
  const schema = routeSchema({ summary: 'Stop following a user', tags: ['following'], auth: true, params: FolloweePath });
  app.delete('/v1/following/:userId', { schema, preHandler: authenticate(deps.tokens) }, async (request, reply) => {
    if (invalidIfMatch(request)) return sendProblem(reply, problem('MALFORMED_REQUEST', 'If-Match must be a stream revision, e.g. "3".'));
    const path = decodeRequest(FolloweePath, request, reply, 'params');
    if (!path) return reply;
    const followeeId = path.userId;
    const commandId = commandIdOf(request, `unfollow ${followeeId}`, deps.ids);
    const outcome = await handleUserCommand(deps, commandRequestOf(request, { type: 'Unfollow', data: { followeeId } }, commandId));
    return sendOutcome(reply, outcome, 200, { followeeId });
  });
};
