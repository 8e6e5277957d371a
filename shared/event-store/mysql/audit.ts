import type mysql from 'mysql2/promise';
import type { AuditEvent, AuditRow, StreamHead, StreamVerdict, VerifyAllSummary } from '../audit/verify.js';
import { verifyAll, verifyStream } from '../audit/verify.js';
import { mysqlUtcToInstant } from './rows.js';

const COLUMNS = `e.stream_id, e.revision, e.position, e.type, e.data, e.metadata, e.recorded_at, e.hash`;

const toAuditEvent = (r: mysql.RowDataPacket): AuditEvent => ({
  streamId: String(r.stream_id),
  revision: Number(r.revision),
  position: Number(r.position),
  type: String(r.type),
  data: String(r.data),
  metadata: String(r.metadata),
  recordedAt: mysqlUtcToInstant(String(r.recorded_at)),
  hash: r.hash === null ? null : String(r.hash),
});

const toHead = (r: mysql.RowDataPacket): StreamHead => ({
  streamId: String(r.stream_id),
  revision: Number(r.head_revision),
  headHash: r.head_hash === null ? null : String(r.head_hash),
});

/**
 * The store as an auditor reads it: the raw columns (hashes included), in keyset pages so that
 * walking the whole log holds one page in memory at a time. MySQL/MariaDB only: the hash chain is
 * this adapter's.
 */
export const mysqlAudit = (pool: mysql.Pool, pageSize = 1_000) => {
  /** Every event in global order from a position (exclusive), page by page. */
  async function* eventsFrom(afterPosition: number, untilPosition = Number.MAX_SAFE_INTEGER): AsyncGenerator<AuditEvent> {
    for (let after = afterPosition; ; ) {
      const [rows] = await pool.query<mysql.RowDataPacket[]>(
        `SELECT ${COLUMNS} FROM events e WHERE e.position > ? AND e.position <= ? ORDER BY e.position LIMIT ?`,
        [after, untilPosition, pageSize],
      );
      for (const r of rows) yield toAuditEvent(r);
      const last = rows[rows.length - 1];
      if (!last || rows.length < pageSize) return;
      after = Number(last.position);
    }
  }

  /** Every event with its stream's head, in (stream, revision) order: one stream after another. */
  async function* rowsByStream(): AsyncGenerator<AuditRow> {
    let key: { stream: string; revision: number } | undefined;
    for (;;) {
      const where = key ? `WHERE e.stream_id > ? OR (e.stream_id = ? AND e.revision > ?)` : '';
      const params = key ? [key.stream, key.stream, key.revision, pageSize] : [pageSize];
      const [rows] = await pool.query<mysql.RowDataPacket[]>(
        `SELECT ${COLUMNS}, s.revision AS head_revision, s.head_hash
         FROM events e LEFT JOIN streams s ON s.stream_id = e.stream_id ${where}
         ORDER BY e.stream_id, e.revision LIMIT ?`,
        params,
      );
      for (const r of rows) yield { ...toAuditEvent(r), head: r.head_revision === null ? null : toHead(r) };
      const last = rows[rows.length - 1];
      if (!last || rows.length < pageSize) return;
      key = { stream: String(last.stream_id), revision: Number(last.revision) };
    }
  }

  /** Stream heads in stream order; `withoutEvents` keeps only those whose events are all gone. */
  async function* heads(withoutEvents = false): AsyncGenerator<StreamHead> {
    let after: string | undefined;
    for (;;) {
      const conditions = [...(after === undefined ? [] : ['s.stream_id > ?']), ...(withoutEvents ? ['NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = s.stream_id)'] : [])];
      const [rows] = await pool.query<mysql.RowDataPacket[]>(
        `SELECT s.stream_id, s.revision AS head_revision, s.head_hash FROM streams s
         ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY s.stream_id LIMIT ?`,
        [...(after === undefined ? [] : [after]), pageSize],
      );
      for (const r of rows) yield toHead(r);
      const last = rows[rows.length - 1];
      if (!last || rows.length < pageSize) return;
      after = String(last.stream_id);
    }
  }

  const verifyOne = async (streamId: string): Promise<StreamVerdict> => {
    const [rows] = await pool.query<mysql.RowDataPacket[]>(`SELECT ${COLUMNS} FROM events e WHERE e.stream_id = ? ORDER BY e.revision`, [streamId]);
    const [headRows] = await pool.query<mysql.RowDataPacket[]>(`SELECT stream_id, revision AS head_revision, head_hash FROM streams WHERE stream_id = ?`, [streamId]);
    return verifyStream(streamId, rows.map(toAuditEvent), headRows[0] ? toHead(headRows[0]) : undefined);
  };

  const verifyEverything = (options: Parameters<typeof verifyAll>[2] = {}): Promise<VerifyAllSummary> => verifyAll(rowsByStream(), heads(true), options);

  return { eventsFrom, rowsByStream, heads, verifyStream: verifyOne, verifyAll: verifyEverything };
};

export type MysqlAudit = ReturnType<typeof mysqlAudit>;
