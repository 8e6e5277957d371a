import type { FastifyInstance } from 'fastify';
import * as t from 'io-ts';
import { SleepLogBody } from '../../shared/commands/index.js';
import { LogId } from '../../shared/events/index.js';
import { authenticate } from '../../shared/auth/authenticate.js';
import { routeSchema } from '../../shared/http/openapi.js';
import { decodeRequest } from '../../shared/http/decode.js';
import { problem, sendProblem } from '../../shared/http/problem.js';
import type { CommandDeps } from '../deps.js';
import { handleUserCommand } from '../user-stream/handle.js';
import { commandIdOf, commandRequestOf, invalidIfMatch, sendOutcome } from '../reply.js';

const LogPath = t.strict({ logId: LogId }, 'LogPath');

/** PUT /v1/sleep-logs/:logId: replaces the facts of one of the caller's own logs. */
export const correctSleepLogRoute = (deps: CommandDeps) => (app: FastifyInstance) => {
  const schema = routeSchema({ summary: 'Correct one of the caller’s sleep logs', tags: ['sleep-logs'], auth: true, params: LogPath, body: SleepLogBody });
  app.put('/v1/sleep-logs/:logId', { schema, preHandler: authenticate(deps.tokens) }, async (request, reply) => {
    if (invalidIfMatch(request)) return sendProblem(reply, problem('MALFORMED_REQUEST', 'If-Match must be a stream revision, e.g. "3".'));
    const path = decodeRequest(LogPath, request, reply, 'params');
    if (!path) return reply;
    const body = decodeRequest(SleepLogBody, request, reply);
    if (!body) return reply;
    const { logId } = path;
    // The log is part of the request: the same key sent for another log is another command.
    const commandId = commandIdOf(request, `correct-sleep-log ${logId}`, deps.ids);
    const command = {
      type: 'CorrectSleepLog' as const,
      data: { logId, startedAt: body.startedAt, endedAt: body.endedAt, quality: body.quality ?? null, note: body.note ?? null },
    };
    const outcome = await handleUserCommand(deps, commandRequestOf(request, command, commandId));
    return sendOutcome(reply, outcome, 200, { logId });
  });
};
