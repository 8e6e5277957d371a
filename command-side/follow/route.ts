import type { FastifyInstance } from 'fastify';
import * as t from 'io-ts';
import { UserId } from '../../shared/events/index.js';
import { authenticate, principalOf } from '../../shared/auth/authenticate.js';
import { routeSchema } from '../../shared/http/openapi.js';
import { decodeRequest } from '../../shared/http/decode.js';
import { problem, sendProblem } from '../../shared/http/problem.js';
import type { CommandDeps } from '../deps.js';
import { handleUserCommand } from '../user-stream/handle.js';
import { loadUserStream } from '../user-stream/stream.js';
import { commandIdOf, commandRequestOf, invalidIfMatch, sendOutcome } from '../reply.js';

const FolloweePath = t.strict({ userId: UserId }, 'FolloweePath');

/**
 * PUT /v1/following/:userId: the caller follows that user. The followee must exist; that is a
 * read of their stream, outside the follower's decision. Users are never deleted, so the check
 * cannot go stale before the append.
 */
export const followRoute = (deps: CommandDeps) => (app: FastifyInstance) => {
  const schema = routeSchema({ summary: 'Follow a user', tags: ['following'], auth: true, params: FolloweePath });
  app.put('/v1/following/:userId', { schema, preHandler: authenticate(deps.tokens) }, async (request, reply) => {
    if (invalidIfMatch(request)) return sendProblem(reply, problem('MALFORMED_REQUEST', 'If-Match must be a stream revision, e.g. "3".'));
    const path = decodeRequest(FolloweePath, request, reply, 'params');
    if (!path) return reply;
    const followeeId = path.userId;
    // Following oneself is the decider's refusal (CANNOT_FOLLOW_SELF), so it is not looked up here.
    if (followeeId !== principalOf(request).userId) {
      const followee = await loadUserStream(deps.store, followeeId);
      if (followee.state.status !== 'registered') return sendProblem(reply, problem('FOLLOWEE_NOT_FOUND', `No user ${followeeId}.`));
    }
    const commandId = commandIdOf(request, `follow ${followeeId}`, deps.ids);
    const outcome = await handleUserCommand(deps, commandRequestOf(request, { type: 'Follow', data: { followeeId } }, commandId));
    return sendOutcome(reply, outcome, 200, { followeeId });
  });
};
