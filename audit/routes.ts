import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as t from 'io-ts';
import { authenticate } from '../shared/auth/authenticate.js';
import type { TokenService } from '../shared/auth/tokens.js';
import type { EventStore } from '../shared/event-store/port.js';
import type { MysqlAudit } from '../shared/event-store/mysql/audit.js';
import { UserId } from '../shared/events/index.js';
import { decodeRequest } from '../shared/http/decode.js';
import { routeSchema } from '../shared/http/openapi.js';
import { problem, sendProblem } from '../shared/http/problem.js';
import { userHistory } from './history.js';
import { AtParam, IsoInstant, userEventTypes } from './instants.js';
import { userStateAt } from './state-at.js';
import { resolveUser, userStreamOf } from './users.js';

export type AuditDeps = {
  readonly store: EventStore;
  readonly tokens: TokenService;
  /** The hash chain is the MySQL adapter's; without it (EventStoreDB) there is no verify route. */
  readonly audit?: MysqlAudit;
};

const UserPath = t.strict({ userId: UserId }, 'AuditUserPath');
const EventType = new t.Type<string, string, unknown>(
  'EventType',
  (u): u is string => typeof u === 'string' && userEventTypes.includes(u),
  (u, c) => (typeof u === 'string' && userEventTypes.includes(u) ? t.success(u) : t.failure(u, c, `expected one of ${userEventTypes.join(', ')}`)),
  String,
);
const HistoryQuery = t.partial({ from: IsoInstant, to: IsoInstant, type: EventType }, 'HistoryQuery');
const StateQuery = t.strict({ at: AtParam }, 'StateQuery');

/** The user of the path, or a 404 already sent. */
const existingUser = async (deps: AuditDeps, request: FastifyRequest, reply: FastifyReply): Promise<UserId | undefined> => {
  const path = decodeRequest(UserPath, request, reply, 'params');
  if (!path) return undefined;
  const userId = await resolveUser(deps.store, path.userId);
  if (!userId) await sendProblem(reply, problem('USER_NOT_FOUND', `No user ${path.userId}.`));
  return userId;
};

/**
 * Read-only routes for auditors (tokens with the `auditor` role; anyone else gets 403): a user's
 * history, their state as of a revision or an instant, and a verification of their stream's hash
 * chain. Outside the three sides because the state is the command side's own fold.
 */
export const auditRoutes = (deps: AuditDeps) => (app: FastifyInstance): void => {
  const guard = authenticate(deps.tokens, 'auditor');

  app.get(
    '/v1/audit/users/:userId/history',
    { schema: routeSchema({ summary: 'A user’s events, filtered by recording time and type (auditors)', tags: ['audit'], auth: true, params: UserPath, querystring: HistoryQuery }), preHandler: guard },
    async (request, reply) => {
      const query = decodeRequest(HistoryQuery, request, reply, 'query');
      if (!query) return reply;
      const userId = await existingUser(deps, request, reply);
      if (!userId) return reply;
      return reply.header('cache-control', 'no-store').send({ userId, events: await userHistory(deps.store, userId, query) });
    },
  );

  app.get(
    '/v1/audit/users/:userId/state',
    { schema: routeSchema({ summary: 'A user’s state as of a revision or an instant (auditors)', tags: ['audit'], auth: true, params: UserPath, querystring: StateQuery }), preHandler: guard },
    async (request, reply) => {
      const query = decodeRequest(StateQuery, request, reply, 'query');
      if (!query) return reply;
      const userId = await existingUser(deps, request, reply);
      if (!userId) return reply;
      return reply.header('cache-control', 'no-store').send({ at: AtParam.encode(query.at), ...(await userStateAt(deps.store, userId, query.at)) });
    },
  );

  const audit = deps.audit;
  if (!audit) return;
  app.get(
    '/v1/audit/users/:userId/verify',
    { schema: routeSchema({ summary: 'Verify the hash chain of a user’s stream (auditors)', tags: ['audit'], auth: true, params: UserPath }), preHandler: guard },
    async (request, reply) => {
      const userId = await existingUser(deps, request, reply);
      if (!userId) return reply;
      const verdict = await audit.verifyStream(userStreamOf(userId));
      return reply.header('cache-control', 'no-store').send({ userId, intact: verdict.broken === null, ...verdict });
    },
  );
};
