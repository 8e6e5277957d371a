import type mysql from 'mysql2/promise';
import type * as E from 'fp-ts/lib/Either.js';
import type { AppendConflict, AppendResult, EventStore, ExpectedRevision, NewEvent, ReadAllOptions, ReadStreamOptions, StoredEvent } from '../port.js';
import { groupCommitter } from './group-commit.js';
import { rowToStoredEvent, SELECT_EVENT } from './rows.js';

/** `now` stamps recordedAt (covered by each event's hash); the server's clock no longer does. */
export const createMysqlEventStore = (pool: mysql.Pool, now: () => number = Date.now): EventStore => {
  const commit = groupCommitter(pool, now);
  const append = (stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<E.Either<AppendConflict, AppendResult>> => {
    if (events.length === 0) return Promise.reject(new Error('append needs at least one event'));
    return commit(stream, events, expected);
  };

  const readStream = async (stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> => {
    const params: unknown[] = [stream, options.fromRevision ?? 0];
    let until = '';
    if (options.untilRecordedAt !== undefined) {
      until = ' AND recorded_at <= ?';
      params.push(new Date(options.untilRecordedAt).toISOString().replace('T', ' ').replace('Z', ''));
    }
    const [rows] = await pool.query<mysql.RowDataPacket[]>(
      `${SELECT_EVENT} WHERE stream_id = ? AND revision >= ?${until} ORDER BY revision`,
      params,
    );
    return rows.map(rowToStoredEvent);
  };

  const readAll = async ({ afterPosition, limit, streamPrefixes }: ReadAllOptions): Promise<StoredEvent[]> => {
    const prefixes = streamPrefixes ?? [];
    const filter = prefixes.length > 0 ? ` AND (${prefixes.map(() => 'stream_id LIKE ?').join(' OR ')})` : '';
    const [rows] = await pool.query<mysql.RowDataPacket[]>(
      `${SELECT_EVENT} WHERE position > ?${filter} ORDER BY position LIMIT ?`,
      [afterPosition, ...prefixes.map((p) => `${p.replace(/[\\%_]/g, (c) => `\\${c}`)}%`), limit],
    );
    return rows.map(rowToStoredEvent);
  };

  const headPosition = async (): Promise<number> => {
    const [rows] = await pool.query<mysql.RowDataPacket[]>(`SELECT position FROM event_store_head WHERE id = 1`);
    return Number(rows[0]?.position ?? 0);
  };

  return { append, readStream, readAll, headPosition, close: () => pool.end() };
};
