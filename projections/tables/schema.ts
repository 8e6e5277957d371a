import type { Migration } from '../../shared/mysql/migrate.js';

/** A secondary key of a read-model table, named once for the migration and for a rebuild. */
export type SecondaryKey = { readonly table: string; readonly name: string; readonly columns: readonly string[] };
export const keyClause = (key: SecondaryKey): string => `KEY ${key.name} (${key.columns.join(', ')})`;

/** The users' logs by end time (sleep-logs and stats routes). */
const SLEEP_LOGS_BY_USER: SecondaryKey = { table: 'sleep_logs', name: 'sleep_logs_user_ended', columns: ['user_id', 'ended_at'] };

/**
 * Keys a rebuild builds once its rows are in, rather than entry by entry as rows come: a sort
 * instead of an insert at a random place per row (measured on 930k sleep logs: 50k rows/s with
 * the key, 66k without it, then 1.5 s to add it).
 */
export const DEFERRED_KEYS: readonly SecondaryKey[] = [SLEEP_LOGS_BY_USER];

/** The columns of a sleep_logs row, in the order every writer (per event, window, load) gives them. */
export const SLEEP_LOG_COLUMNS = '(log_id, user_id, started_at, ended_at, duration_minutes, timezone, wake_date, quality, note, updated_at)';
/** What an upsert of a whole sleep_logs row changes in the row already there. */
export const SLEEP_LOG_ON_DUPLICATE = `ON DUPLICATE KEY UPDATE started_at = VALUES(started_at), ended_at = VALUES(ended_at), duration_minutes = VALUES(duration_minutes),
  timezone = VALUES(timezone), wake_date = VALUES(wake_date), quality = VALUES(quality), note = VALUES(note), updated_at = VALUES(updated_at)`;

/** Read-model tables; `projection_guards` holds each projection's applied revision per stream. */
export const tableMigrations: readonly Migration[] = [
  {
    id: 'tables-001-read-models',
    statements: [
      `CREATE TABLE IF NOT EXISTS projection_guards (
         projection VARCHAR(64) NOT NULL,
         stream_id VARCHAR(128) NOT NULL,
         revision BIGINT NOT NULL,
         PRIMARY KEY (projection, stream_id)
       ) ENGINE=InnoDB`,
      `CREATE TABLE IF NOT EXISTS users (
         user_id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
         handle VARCHAR(30) NOT NULL,
         display_name VARCHAR(240) NOT NULL,
         timezone VARCHAR(64) NOT NULL,
         registered_at DATETIME(3) NOT NULL,
         UNIQUE KEY users_handle (handle)
       ) ENGINE=InnoDB`,
      `CREATE TABLE IF NOT EXISTS sleep_logs (
         log_id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
         user_id CHAR(36) CHARACTER SET ascii NOT NULL,
         started_at DATETIME(3) NOT NULL,
         ended_at DATETIME(3) NOT NULL,
         duration_minutes INT NOT NULL,
         timezone VARCHAR(64) NOT NULL,
         wake_date DATE NOT NULL,
         quality TINYINT NULL,
         note VARCHAR(1200) NULL,
         updated_at DATETIME(3) NOT NULL,
         ${keyClause(SLEEP_LOGS_BY_USER)}
       ) ENGINE=InnoDB`,
      `CREATE TABLE IF NOT EXISTS follows (
         follower_id CHAR(36) CHARACTER SET ascii NOT NULL,
         followee_id CHAR(36) CHARACTER SET ascii NOT NULL,
         since DATETIME(3) NOT NULL,
         PRIMARY KEY (follower_id, followee_id),
         KEY follows_followee (followee_id, follower_id)
       ) ENGINE=InnoDB`,
      // Counts live apart from users: a Followed event can be projected before the followee's
      // UserRegistered (they are on different partitions), and no increment may be lost then.
      `CREATE TABLE IF NOT EXISTS follow_counts (
         user_id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
         followers INT NOT NULL DEFAULT 0,
         following INT NOT NULL DEFAULT 0
       ) ENGINE=InnoDB`,
    ],
  },
];
