import type { Migration } from '../../mysql/migrate.js';

/**
 * Event store tables. `events.position` is the clustered primary key and is assigned by the
 * appender while it holds the `event_store_head` row lock, which it keeps until COMMIT: positions
 * therefore grow in commit order and a reader of `position > checkpoint` never skips a slow
 * transaction (the AUTO_INCREMENT commit-order trap).
 */
export const eventStoreTables: readonly string[] = [
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

/**
 * event-store-002, tamper evidence: each event's SHA-256 chained to the previous event of its
 * stream, and each stream's running head. Rows written before this migration keep a NULL hash: a
 * legacy prefix of their stream that verification counts and reports but cannot vouch for (the
 * first hashed event then chains to '' as a new stream's first event does). No backfill: there
 * were no production rows, and a backfill would vouch for history nobody checked at the time.
 */
export const hashChainColumns: readonly string[] = [
  `ALTER TABLE events ADD COLUMN hash CHAR(64) CHARACTER SET ascii NULL`,
  `ALTER TABLE streams ADD COLUMN head_hash CHAR(64) CHARACTER SET ascii NULL`,
];

/** The event store's migrations, as the launcher applies them. */
export const eventStoreSchema: readonly Migration[] = [
  { id: 'event-store-001', statements: eventStoreTables },
  { id: 'event-store-002', statements: hashChainColumns },
];

/** Every statement in order, for a fresh database (tests migrate it under one id). */
export const eventStoreMigrations: readonly string[] = [...eventStoreTables, ...hashChainColumns];
