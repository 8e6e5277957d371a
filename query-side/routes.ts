import type { FastifyInstance } from 'fastify';
import type { QueryDeps } from './deps.js';
import { readYourWrites } from './read-your-writes.js';
import { feedRoute } from './feed/route.js';
import { globalLeaderboardRoute } from './leaderboards/route.js';
import { friendsLeaderboardRoute } from './leaderboards/friends-route.js';
import { aroundMeRoute } from './leaderboards/around-me-route.js';
import { liveLeaderboardRoute } from './leaderboards/live.js';
import { profileRoute } from './profile/route.js';
import { sleepLogsRoute } from './sleep-logs/route.js';
import { statsRoute } from './stats/route.js';
import { followersRoute, followingRoute } from './follows/route.js';

/** Adds every read route to the app (in a plugin, so they load after the OpenAPI hooks). */
export const queryRoutes = (deps: QueryDeps) => (app: FastifyInstance): void => {
  void app.register((scoped: FastifyInstance, _options: unknown, done: (error?: Error) => void) => {
    readYourWrites(scoped, deps);
    const routes = [
      globalLeaderboardRoute,
      friendsLeaderboardRoute,
      aroundMeRoute,
      liveLeaderboardRoute,
      feedRoute,
      profileRoute,
      sleepLogsRoute,
      statsRoute,
      followersRoute,
      followingRoute,
    ];
    for (const route of routes) route(deps)(scoped);
    done();
  });
};
