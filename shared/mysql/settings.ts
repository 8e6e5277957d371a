import type { Config } from '../config/index.js';
import type { MysqlSettings } from './pool.js';

/** The MySQL connection settings of a configuration (every role and test builds them the same way). */
export const mysqlSettingsOf = (c: Config, poolSize: number = c.MYSQL_POOL_SIZE): MysqlSettings => ({
  host: c.MYSQL_HOST,
  port: c.MYSQL_PORT,
  user: c.MYSQL_USER,
  password: c.MYSQL_PASSWORD,
  database: c.MYSQL_DATABASE,
  poolSize,
});
