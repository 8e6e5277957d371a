import type mysql from 'mysql2/promise';
import type { Config } from '../shared/config/index.js';
import { createPool } from '../shared/mysql/pool.js';
import { cleanUp, testConfig } from '../shared/testing/environment.js';
import { mysqlSettingsOf, prepare } from '../launcher/infrastructure.js';

/**
 * A private slice of the local servers for one scenario, as the integration tests have: its own
 * database, Redis prefix, topics and consumer groups, migrated and created by the launcher's own
 * `prepare`, and removed afterwards.
 */
export const isolated = async (name: string, defer: (stop: () => Promise<unknown>) => void, overrides: Record<string, string> = {}): Promise<Config> => {
  const config = testConfig(`bench_${name}`, overrides);
  defer(() => cleanUp(config));
  await prepare(config, () => undefined);
  return config;
};

export const poolOf = (config: Config, size: number, defer: (stop: () => Promise<unknown>) => void): mysql.Pool => {
  const pool = createPool({ ...mysqlSettingsOf(config), poolSize: size });
  defer(() => pool.end());
  return pool;
};
