import type { Migration } from '../../shared/mysql/migrate.js';

/** Stored answers to requests sent with an Idempotency-Key, scoped to the caller. */
export const idempotencyMigrations: readonly Migration[] = [
  {
    id: 'idempotency-001-keys',
    statements: [
      `CREATE TABLE IF NOT EXISTS idempotency_keys (
         scope VARCHAR(64) NOT NULL,
         idem_key VARCHAR(255) NOT NULL,
         request_hash CHAR(64) CHARACTER SET ascii NOT NULL,
         state ENUM('pending', 'complete') NOT NULL,
         status SMALLINT NULL,
         content_type VARCHAR(100) NULL,
         body MEDIUMTEXT NULL,
         created_at DATETIME(3) NOT NULL,
         PRIMARY KEY (scope, idem_key),
         KEY idempotency_keys_created (created_at)
       ) ENGINE=InnoDB`,
    ],
  },
];
