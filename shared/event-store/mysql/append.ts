import type mysql from 'mysql2/promise';
import * as E from 'fp-ts/lib/Either.js';
import type { AppendConflict, AppendResult, ExpectedRevision, NewEvent } from '../port.js';
import { isDuplicateKey } from '../../mysql/pool.js';

type Conn = mysql.PoolConnection | mysql.Connection;

/** Thrown inside the transaction to roll it back; turned into a value by the caller. */
export class ConflictSignal extends Error {
  constructor(readonly actual: number) {
    super('wrong expected revision');
  }
}

const currentRevision = async (conn: Conn, stream: string): Promise<number> => {
  const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT revision FROM streams WHERE stream_id = ?`, [stream]);
  return rows[0] ? Number(rows[0].revision) : -1;
};

/**
 * Moves the stream's revision forward, holding its row lock until COMMIT. Uniqueness of
 * streams.stream_id and the compare-and-set UPDATE, not the isolation level, enforce the
 * expected revision (REPEATABLE READ alone would allow lost updates).
 */
export const advanceStream = async (conn: Conn, stream: string, count: number, expected: ExpectedRevision): Promise<number> => {
  if (expected === 'no_stream') {
    try {
      await conn.query(`INSERT INTO streams (stream_id, revision, updated_at) VALUES (?, ?, UTC_TIMESTAMP(3))`, [stream, count - 1]);
    } catch (error) {
      if (isDuplicateKey(error)) throw new ConflictSignal(await currentRevision(conn, stream));
      throw error;
    }
    return count - 1;
  }
  if (expected === 'any') {
    await conn.query(
      `INSERT INTO streams (stream_id, revision, updated_at) VALUES (?, ?, UTC_TIMESTAMP(3))
       ON DUPLICATE KEY UPDATE revision = revision + ?, updated_at = VALUES(updated_at)`,
      [stream, count - 1, count],
    );
    return currentRevision(conn, stream);
  }
  const [result] = await conn.query<mysql.ResultSetHeader>(
    `UPDATE streams SET revision = ?, updated_at = UTC_TIMESTAMP(3) WHERE stream_id = ? AND revision = ?`,
    [expected + count, stream, expected],
  );
  if (result.affectedRows !== 1) throw new ConflictSignal(await currentRevision(conn, stream));
  return expected + count;
};

/**
 * Reserves `count` global positions. Taken after the stream lock (one lock order, no deadlocks)
 * and held until COMMIT, so no later position can commit before this one.
 */
export const reservePositions = async (conn: Conn, count: number): Promise<number> => {
  // LAST_INSERT_ID(expr) makes the server report the new value as this statement's insert id.
  const [result] = await conn.query<mysql.ResultSetHeader>(`UPDATE event_store_head SET position = LAST_INSERT_ID(position + ?) WHERE id = 1`, [count]);
  return Number(result.insertId);
};

/** Writes one append inside the caller's open transaction. The caller commits. */
export const appendWithin = async (conn: Conn, stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> => {
  const lastRevision = await advanceStream(conn, stream, events.length, expected);
  const lastPosition = await reservePositions(conn, events.length);
  const firstRevision = lastRevision - events.length + 1;
  const firstPosition = lastPosition - events.length + 1;
  await insertEvents(conn, [{ stream, events, firstRevision, firstPosition }]);
  return { revision: lastRevision, position: lastPosition, duplicate: false };
};

export type Placed = { readonly stream: string; readonly events: readonly NewEvent[]; readonly firstRevision: number; readonly firstPosition: number };

/** One multi-row INSERT for the events of one or several appends, at their revisions and positions. */
export const insertEvents = async (conn: Conn, placed: readonly Placed[]): Promise<void> => {
  const rows = placed.flatMap((p) =>
    p.events.map((e, i) => [p.firstPosition + i, e.metadata.eventId, p.stream, p.firstRevision + i, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata)]),
  );
  await conn.query(
    `INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata, recorded_at)
     VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))').join(', ')}`,
    rows.flat(),
  );
};

/**
 * A retried append carries the same event ids. When all of them are already in this stream, the
 * first append's result is the answer and nothing is written again.
 */
export const findDuplicate = async (conn: Conn, stream: string, events: readonly NewEvent[]): Promise<AppendResult | undefined> => {
  const ids = events.map((e) => e.metadata.eventId);
  const [rows] = await conn.query<mysql.RowDataPacket[]>(
    `SELECT stream_id, revision, position FROM events WHERE event_id IN (?) ORDER BY position`,
    [ids],
  );
  const last = rows[rows.length - 1];
  if (rows.length !== ids.length || !last || rows.some((r) => r.stream_id !== stream)) return undefined;
  return { revision: Number(last.revision), position: Number(last.position), duplicate: true };
};

export const toConflict = (stream: string, expected: ExpectedRevision, actual: number): E.Either<AppendConflict, never> =>
  E.left({ code: 'WRONG_EXPECTED_REVISION', stream, expected, actual });
