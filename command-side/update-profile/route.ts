import type { FastifyInstance } from 'fastify';
import * as E from 'fp-ts/lib/Either.js';
import { UpdateProfileBody } from '../../shared/commands/index.js';
import type { UserEvent, UserId } from '../../shared/events/index.js';
import type { EventStore } from '../../shared/event-store/port.js';
import { authenticate, principalOf } from '../../shared/auth/authenticate.js';
import { routeSchema } from '../../shared/http/openapi.js';
import { decodeRequest } from '../../shared/http/decode.js';
import { problem, sendProblem, validationProblem } from '../../shared/http/problem.js';
import type { CommandDeps } from '../deps.js';
import { handleUserCommand } from '../user-stream/handle.js';
import { loadUserStream } from '../user-stream/stream.js';
import { commandIdOf, commandRequestOf, invalidIfMatch, sendOutcome } from '../reply.js';

/** The whole profile after the command: from its event, or as it stands when nothing changed. */
const profileAfter = async (store: EventStore, userId: UserId, events: readonly UserEvent[]): Promise<Record<string, unknown>> => {
  const updated = events.find((e) => e.type === 'ProfileUpdated');
  if (updated?.type === 'ProfileUpdated') return { displayName: updated.data.displayName, timezone: updated.data.timezone };
  const { state } = await loadUserStream(store, userId);
  return state.status === 'registered' ? { displayName: state.displayName, timezone: state.timezone } : {};
};

/** PATCH /v1/me: change the display name and/or the time zone; answers with the whole profile. */
export const updateProfileRoute = (deps: CommandDeps) => (app: FastifyInstance) => {
  const schema = routeSchema({ summary: 'Change the caller’s display name and/or time zone', tags: ['users'], auth: true, body: UpdateProfileBody });
  app.patch('/v1/me', { schema, preHandler: authenticate(deps.tokens) }, async (request, reply) => {
    if (invalidIfMatch(request)) return sendProblem(reply, problem('MALFORMED_REQUEST', 'If-Match must be a stream revision, e.g. "3".'));
    const body = decodeRequest(UpdateProfileBody, request, reply);
    if (!body) return reply;
    if (body.displayName === undefined && body.timezone === undefined) {
      return sendProblem(reply, validationProblem([{ path: '', message: 'at least one of displayName and timezone is needed' }]));
    }
    const command = {
      type: 'UpdateProfile' as const,
      data: { ...(body.displayName === undefined ? {} : { displayName: body.displayName }), ...(body.timezone === undefined ? {} : { timezone: body.timezone }) },
    };
    const commandId = commandIdOf(request, 'update-profile', deps.ids);
    const outcome = await handleUserCommand(deps, commandRequestOf(request, command, commandId));
    const profile = E.isRight(outcome) ? await profileAfter(deps.store, principalOf(request).userId, outcome.right.events) : {};
    return sendOutcome(reply, outcome, 200, profile);
  });
};
