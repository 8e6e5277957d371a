import type { Writable } from 'node:stream';
import type { Config } from '../shared/config/index.js';
import { cleanUp, testConfig } from '../shared/testing/environment.js';
import { prepare } from '../launcher/infrastructure.js';
import { ROLES, type Role } from '../launcher/roles.js';
import { buildSystem, type System } from '../launcher/system.js';

export type Running = { readonly config: Config; readonly system: System; readonly stop: () => Promise<void> };

/** A whole system (every role by default) on its own database, key prefix and topics. */
export const startSystem = async (
  name: string,
  options: { roles?: readonly Role[]; overrides?: Record<string, string>; logger?: { level: string; stream: Writable } } = {},
): Promise<Running> => {
  const config = testConfig(name, options.overrides);
  await prepare(config, () => undefined);
  const system = buildSystem(config, options.roles ?? ROLES, options.logger ?? false);
  await system.start();
  return {
    config,
    system,
    stop: async () => {
      await system.stop();
      await cleanUp(config);
    },
  };
};
