import type { FastifyInstance } from 'fastify';
import type { QueryDeps } from './deps.js';
import { globalLeaderboardRoute } from './leaderboards/route.js';

/** Adds every read route to the app (in a plugin, so they load after the OpenAPI hooks). */
export const queryRoutes = (deps: QueryDeps) => (app: FastifyInstance): void => {
  void app.register((scoped: FastifyInstance, _options: unknown, done: (error?: Error) => void) => {
    for (const route of [globalLeaderboardRoute]) route(deps)(scoped);
    done();
  });
};
