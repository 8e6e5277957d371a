import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import { createPool, ensureDatabase } from '../shared/mysql/pool.js';
import { mysqlSettingsOf } from '../shared/mysql/settings.js';
import { cleanUp, testConfig } from '../shared/testing/environment.js';
import { userDirectory } from './users.js';

const config = testConfig('user_directory');
let pool: mysql.Pool;
beforeAll(async () => {
  await ensureDatabase(mysqlSettingsOf(config, 2));
  pool = createPool(mysqlSettingsOf(config, 2));
  // The users read model's columns that the directory reads (the table belongs to the projections).
  await pool.query(`CREATE TABLE users (user_id CHAR(36) PRIMARY KEY, handle VARCHAR(30) NOT NULL, display_name VARCHAR(240) NOT NULL)`);
});
afterAll(async () => {
  await pool.end();
  await cleanUp(config);
});

describe('user directory', () => {
  it('serves names from memory within the TTL, re-reads after it, and never hides a new user', async () => {
    let now = 1_000;
    const directory = userDirectory(pool, { ttlMs: 5_000, max: 100 }, () => now);
    await pool.query(`INSERT INTO users VALUES ('a', 'ann', 'Ann')`);
    expect((await directory.summaries(['a', 'b'])).get('a')?.displayName).toBe('Ann');

    await pool.query(`UPDATE users SET display_name = 'Annie' WHERE user_id = 'a'`);
    await pool.query(`INSERT INTO users VALUES ('b', 'bob', 'Bob')`);
    const cached = await directory.summaries(['a', 'b']);
    expect(cached.get('a')?.displayName).toBe('Ann'); // still within the TTL
    expect(cached.get('b')?.displayName).toBe('Bob'); // unknown before: looked up at once

    now += 5_001;
    expect((await directory.summaries(['a'])).get('a')?.displayName).toBe('Annie');
  });
});
