import type { FastifyInstance } from 'fastify';
import type { CommandDeps } from './deps.js';
import { registerUserRoute } from './register-user/route.js';
import { signInRoute } from './sign-in/route.js';
import { logSleepRoute } from './log-sleep/route.js';

/** Adds every command route to the app. */
export const commandRoutes = (deps: CommandDeps) => (app: FastifyInstance): void => {
  for (const route of [registerUserRoute, signInRoute, logSleepRoute]) route(deps)(app);
};
