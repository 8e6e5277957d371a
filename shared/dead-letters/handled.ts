import type mysql from 'mysql2/promise';
import type { Migration } from '../mysql/migrate.js';

/**
 * What an operator did with a dead letter. Kafka keeps the dead-letters topic append-only, so the
 * decision lives beside it in MySQL, keyed by the dead letter's own coordinates: `retried` (its value
 * was published to its origin topic again) or `discarded` (looked at, nothing to do). A dead letter
 * with no row here is open.
 */
export const deadLetterMigrations: readonly Migration[] = [
  {
    id: 'dead-letters-001-handled',
    statements: [
      `CREATE TABLE IF NOT EXISTS dead_letters_handled (
         topic VARCHAR(249) NOT NULL,
         kafka_partition INT NOT NULL,
         kafka_offset BIGINT NOT NULL,
         action ENUM('retried', 'discarded') NOT NULL,
         note VARCHAR(500) NULL,
         handled_at DATETIME(3) NOT NULL,
         PRIMARY KEY (topic, kafka_partition, kafka_offset)
       ) ENGINE=InnoDB`,
    ],
  },
];

export type DeadLetterAction = 'retried' | 'discarded';
export type Handled = { readonly action: DeadLetterAction; readonly note: string | null; readonly handledAt: string };

const coordinates = (topic: string, partition: number, offset: string) => `${topic}:${partition}:${offset}`;

export const deadLetterRegister = (pool: mysql.Pool) => ({
  /** Everything handled on a topic, by `topic:partition:offset`. */
  handled: async (topic: string): Promise<Map<string, Handled>> => {
    const [rows] = await pool.query<mysql.RowDataPacket[]>(`SELECT kafka_partition, kafka_offset, action, note, handled_at FROM dead_letters_handled WHERE topic = ?`, [topic]);
    return new Map(
      rows.map((r) => [
        coordinates(topic, Number(r.kafka_partition), String(r.kafka_offset)),
        { action: r.action as DeadLetterAction, note: r.note === null ? null : String(r.note), handledAt: String(r.handled_at) },
      ]),
    );
  },
  /** Records the decision; a second decision on the same dead letter replaces the first. */
  record: async (topic: string, partition: number, offset: string, action: DeadLetterAction, note: string | null): Promise<void> => {
    await pool.query(
      `INSERT INTO dead_letters_handled (topic, kafka_partition, kafka_offset, action, note, handled_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(3))
       ON DUPLICATE KEY UPDATE action = VALUES(action), note = VALUES(note), handled_at = VALUES(handled_at)`,
      [topic, partition, offset, action, note],
    );
  },
  key: coordinates,
});
