import type { FastifyInstance } from 'fastify';
import type { CommandDeps } from './deps.js';
import { idempotencyHooks } from './idempotency/hooks.js';
import { registerUserRoute } from './register-user/route.js';
import { signInRoute } from './sign-in/route.js';
import { logSleepRoute } from './log-sleep/route.js';
import { correctSleepLogRoute } from './correct-sleep-log/route.js';
import { retractSleepLogRoute } from './retract-sleep-log/route.js';
import { followRoute } from './follow/route.js';
import { unfollowRoute } from './unfollow/route.js';
import { updateProfileRoute } from './update-profile/route.js';

/**
 * Adds every command route to the app, in their own encapsulated context so that the
 * Idempotency-Key hooks apply to commands only.
 */
export const commandRoutes = (deps: CommandDeps) => (app: FastifyInstance): void => {
  void app.register((scoped: FastifyInstance, _options: unknown, done: (error?: Error) => void) => {
    if (deps.idempotency) idempotencyHooks(scoped, { ...deps, idempotency: deps.idempotency });
    const routes = [
      registerUserRoute,
      signInRoute,
      updateProfileRoute,
      logSleepRoute,
      correctSleepLogRoute,
      retractSleepLogRoute,
      followRoute,
      unfollowRoute,
    ];
    for (const route of routes) route(deps)(scoped);
    done();
  });
};
