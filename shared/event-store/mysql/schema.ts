/**
 * Event store tables. `events.position` is the clustered primary key and is assigned by the
 * appender while it holds the `event_store_head` row lock, which it keeps until COMMIT: positions
 * therefore grow in commit order and a reader of `position > checkpoint` never skips a slow
 * transaction (the AUTO_INCREMENT commit-order trap).
 */
export const eventStoreMigrations: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS event_store_head (
     id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
     position BIGINT UNSIGNED NOT NULL
   ) ENGINE=InnoDB`,
  `INSERT IGNORE INTO event_store_head (id, position) VALUES (1, 0)`,
  `CREATE TABLE IF NOT EXISTS streams (
     stream_id VARCHAR(128) NOT NULL PRIMARY KEY,
     revision BIGINT NOT NULL,
     updated_at DATETIME(3) NOT NULL
   ) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS events (
     position BIGINT UNSIGNED NOT NULL PRIMARY KEY,
     event_id CHAR(36) CHARACTER SET ascii NOT NULL,
     stream_id VARCHAR(128) NOT NULL,
     revision BIGINT NOT NULL,
     type VARCHAR(64) NOT NULL,
     data LONGTEXT NOT NULL,
     metadata TEXT NOT NULL,
     recorded_at DATETIME(3) NOT NULL,
     UNIQUE KEY events_event_id (event_id),
     UNIQUE KEY events_stream_revision (stream_id, revision)
   ) ENGINE=InnoDB`,
];
