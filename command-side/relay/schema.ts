import type { Migration } from '../../shared/mysql/migrate.js';

export const relayMigrations: readonly Migration[] = [
  {
    id: 'relay-001-checkpoints',
    statements: [
      `CREATE TABLE IF NOT EXISTS relay_checkpoints (
         name VARCHAR(64) NOT NULL PRIMARY KEY,
         position BIGINT UNSIGNED NOT NULL,
         updated_at DATETIME(3) NOT NULL
       ) ENGINE=InnoDB`,
    ],
  },
];
