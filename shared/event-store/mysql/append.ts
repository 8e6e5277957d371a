import type mysql from 'mysql2/promise';
import * as E from 'fp-ts/lib/Either.js';
import type { AppendConflict, AppendResult, ExpectedRevision, NewEvent } from '../port.js';
import { isDuplicateKey } from '../../mysql/pool.js';
import { eventHash, GENESIS } from '../audit/hash.js';

type Conn = mysql.PoolConnection | mysql.Connection;

/** Thrown inside the transaction to roll it back; turned into a value by the caller. */
export class ConflictSignal extends Error {
  constructor(readonly actual: number) {
    super('wrong expected revision');
  }
}

/** A stream as it stood before an append: its last revision (-1 when new) and its head hash. */
export type StreamTip = { readonly revision: number; readonly hash: string };

const currentRevision = async (conn: Conn, stream: string): Promise<number> => {
  const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT revision FROM streams WHERE stream_id = ?`, [stream]);
  return rows[0] ? Number(rows[0].revision) : -1;
};

/** `UTC_TIMESTAMP(3)` as the adapter writes it: DATETIME(3) text of an instant in UTC. */
export const mysqlDateTime = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

/**
 * Locks the stream's row, held until COMMIT, and checks the expected revision. Answers the stream's
 * tip: the previous head hash comes with the row the lock reads, so the chain costs no extra read.
 * Uniqueness of streams.stream_id and the locking read, not the isolation level, enforce the
 * expected revision (REPEATABLE READ alone would allow lost updates). The row's new revision and
 * head hash are written by `writeEvents`, once the positions (which the hashes cover) are known.
 */
export const lockStream = async (conn: Conn, stream: string, expected: ExpectedRevision): Promise<StreamTip> => {
  if (expected === 'no_stream') {
    try {
      await conn.query(`INSERT INTO streams (stream_id, revision, head_hash, updated_at) VALUES (?, -1, NULL, UTC_TIMESTAMP(3))`, [stream]);
    } catch (error) {
      if (isDuplicateKey(error)) throw new ConflictSignal(await currentRevision(conn, stream));
      throw error;
    }
    return { revision: -1, hash: GENESIS };
  }
  if (expected === 'any') {
    // Creates the row when missing (a no-op update otherwise), so the locking read below finds it.
    await conn.query(
      `INSERT INTO streams (stream_id, revision, head_hash, updated_at) VALUES (?, -1, NULL, UTC_TIMESTAMP(3)) ON DUPLICATE KEY UPDATE stream_id = stream_id`,
      [stream],
    );
  }
  const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT revision, head_hash FROM streams WHERE stream_id = ? FOR UPDATE`, [stream]);
  const row = rows[0];
  if (!row) throw new ConflictSignal(-1);
  const tip = { revision: Number(row.revision), hash: row.head_hash === null ? GENESIS : String(row.head_hash) };
  if (expected !== 'any' && tip.revision !== expected) throw new ConflictSignal(tip.revision);
  return tip;
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
export const appendWithin = async (
  conn: Conn,
  stream: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
  now: () => number = Date.now,
): Promise<AppendResult> => {
  const tip = await lockStream(conn, stream, expected);
  const lastPosition = await reservePositions(conn, events.length);
  await writeEvents(conn, [{ stream, events, firstRevision: tip.revision + 1, firstPosition: lastPosition - events.length + 1, previousHash: tip.hash }], now());
  return { revision: tip.revision + events.length, position: lastPosition, duplicate: false };
};

/**
 * The events of one append at their revisions and positions. `previousHash` is the stream's head
 * before the transaction; a later append to the same stream in one group commit chains to the
 * earlier one's last hash instead.
 */
export type Placed = {
  readonly stream: string;
  readonly events: readonly NewEvent[];
  readonly firstRevision: number;
  readonly firstPosition: number;
  readonly previousHash: string;
};

/**
 * One multi-row INSERT for the events of one or several appends, each with its chained hash, then
 * one upsert that moves every stream's revision and head hash (rows this transaction already locked).
 * `recordedAtMs` is the one recording instant of the transaction: the adapter, not the server,
 * chooses it so that the hash covers it.
 */
export const writeEvents = async (conn: Conn, placed: readonly Placed[], recordedAtMs: number): Promise<void> => {
  const recordedAt = new Date(recordedAtMs).toISOString();
  const stamp = mysqlDateTime(recordedAtMs);
  const heads = new Map<string, { revision: number; hash: string }>();
  const rows: unknown[][] = [];
  for (const p of placed) {
    let previous = heads.get(p.stream)?.hash ?? p.previousHash;
    p.events.forEach((e, i) => {
      const revision = p.firstRevision + i;
      const position = p.firstPosition + i;
      const hash = eventHash(previous, { streamId: p.stream, revision, position, type: e.type, data: e.data, metadata: e.metadata, recordedAt });
      rows.push([position, e.metadata.eventId, p.stream, revision, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), stamp, hash]);
      previous = hash;
    });
    heads.set(p.stream, { revision: p.firstRevision + p.events.length - 1, hash: previous });
  }
  await conn.query(`INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata, recorded_at, hash) VALUES ?`, [rows]);
  await conn.query(
    `INSERT INTO streams (stream_id, revision, head_hash, updated_at) VALUES ?
     ON DUPLICATE KEY UPDATE revision = VALUES(revision), head_hash = VALUES(head_hash), updated_at = VALUES(updated_at)`,
    [[...heads].map(([stream, head]) => [stream, head.revision, head.hash, stamp])],
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
