import type { FastifyInstance } from 'fastify';
import { SleepLogBody } from '../../shared/commands/index.js';
import type { LogId } from '../../shared/events/index.js';
import { authenticate } from '../../shared/auth/authenticate.js';
import { routeSchema } from '../../shared/http/openapi.js';
import { decodeRequest } from '../../shared/http/decode.js';
import { problem, sendProblem } from '../../shared/http/problem.js';
import { nameBasedId } from '../../shared/ids.js';
import type { CommandDeps } from '../deps.js';
import { handleUserCommand } from '../user-stream/handle.js';
import { commandIdOf, commandRequestOf, invalidIfMatch, sendOutcome } from '../reply.js';

export const logSleepRoute = (deps: CommandDeps) => (app: FastifyInstance) => {
  const schema = routeSchema({ summary: 'Log a night of sleep', tags: ['sleep-logs'], auth: true, body: SleepLogBody });
  app.post('/v1/sleep-logs', { schema, preHandler: authenticate(deps.tokens) }, async (request, reply) => {
    if (invalidIfMatch(request)) return sendProblem(reply, problem('MALFORMED_REQUEST', 'If-Match must be a stream revision, e.g. "3".'));
    const body = decodeRequest(SleepLogBody, request, reply);
    if (!body) return reply;
    const commandId = commandIdOf(request, 'log-sleep', deps.ids);
    // The log id follows from the command id, so a retried request names the same log.
    const logId = nameBasedId('log', commandId) as LogId;
    const command = {
      type: 'LogSleep' as const,
      data: { logId, startedAt: body.startedAt, endedAt: body.endedAt, quality: body.quality ?? null, note: body.note ?? null },
    };
    const outcome = await handleUserCommand(deps, commandRequestOf(request, command, commandId));
    return sendOutcome(reply.header('location', `/v1/sleep-logs/${logId}`), outcome, 201, { logId });
  });
};
