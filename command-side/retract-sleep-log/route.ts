import type { FastifyInstance } from 'fastify';
import * as t from 'io-ts';
import { LogId } from '../../shared/events/index.js';
import { authenticate } from '../../shared/auth/authenticate.js';
import { routeSchema } from '../../shared/http/openapi.js';
import { decodeRequest } from '../../shared/http/decode.js';
import { problem, sendProblem } from '../../shared/http/problem.js';
import type { CommandDeps } from '../deps.js';
import { handleUserCommand } from '../user-stream/handle.js';
import { commandIdOf, commandRequestOf, invalidIfMatch, sendOutcome } from '../reply.js';

const LogPath = t.strict({ logId: LogId }, 'LogPath');

/** DELETE /v1/sleep-logs/:logId: retracts one of the caller's own logs; it stops counting everywhere. */
export const retractSleepLogRoute = (deps: CommandDeps) => (app: FastifyInstance) => {
  const schema = routeSchema({ summary: 'Retract one of the caller’s sleep logs', tags: ['sleep-logs'], auth: true, params: LogPath });
  app.delete('/v1/sleep-logs/:logId', { schema, preHandler: authenticate(deps.tokens) }, async (request, reply) => {
    if (invalidIfMatch(request)) return sendProblem(reply, problem('MALFORMED_REQUEST', 'If-Match must be a stream revision, e.g. "3".'));
    const path = decodeRequest(LogPath, request, reply, 'params');
    if (!path) return reply;
    const { logId } = path;
    const commandId = commandIdOf(request, `retract-sleep-log ${logId}`, deps.ids);
    const command = { type: 'RetractSleepLog' as const, data: { logId } };
    const outcome = await handleUserCommand(deps, commandRequestOf(request, command, commandId));
    return sendOutcome(reply, outcome, 200, { logId });
  });
};
