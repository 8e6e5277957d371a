import type { FastifyInstance } from 'fastify';
import type { QueryDeps } from './deps.js';
import { globalLeaderboardRoute } from './leaderboards/route.js';

/** Adds every read route to the app. */
export const queryRoutes = (deps: QueryDeps) => (app: FastifyInstance): void => {
  for (const route of [globalLeaderboardRoute]) route(deps)(app);
};
