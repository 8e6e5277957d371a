import type mysql from 'mysql2/promise';
import { isDuplicateKey } from '../../shared/mysql/pool.js';

export type StoredResponse = { readonly status: number; readonly contentType: string; readonly body: string };

export type Reservation =
  | { readonly kind: 'reserved' }
  | { readonly kind: 'replay'; readonly response: StoredResponse }
  | { readonly kind: 'in-progress' }
  | { readonly kind: 'mismatch' };

export interface IdempotencyStore {
  /** Claims the key for this request, or tells what happened to an earlier request with it. */
  reserve(scope: string, key: string, requestHash: string, now: number): Promise<Reservation>;
  complete(scope: string, key: string, response: StoredResponse): Promise<void>;
  /** Forgets a reservation whose request failed on our side, so the client may retry it. */
  release(scope: string, key: string): Promise<void>;
}

export type IdempotencySettings = {
  /** A pending reservation older than this is taken to be from a crashed process. */
  readonly abandonAfterMs: number;
  /** How long answers are kept. */
  readonly retainMs: number;
};

const dt = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

export const mysqlIdempotencyStore = (pool: mysql.Pool, s: IdempotencySettings = { abandonAfterMs: 60_000, retainMs: 86_400_000 }): IdempotencyStore => {
  const lookup = async (scope: string, key: string, requestHash: string, now: number): Promise<Reservation | undefined> => {
    const [rows] = await pool.query<mysql.RowDataPacket[]>(
      `SELECT request_hash, state, status, content_type, body, created_at FROM idempotency_keys WHERE scope = ? AND idem_key = ?`,
      [scope, key],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.request_hash !== requestHash) return { kind: 'mismatch' };
    if (row.state === 'complete') {
      return { kind: 'replay', response: { status: Number(row.status), contentType: String(row.content_type), body: String(row.body) } };
    }
    // Take over a reservation left behind by a process that died mid-request.
    const [taken] = await pool.query<mysql.ResultSetHeader>(
      `UPDATE idempotency_keys SET created_at = ? WHERE scope = ? AND idem_key = ? AND state = 'pending' AND created_at < ?`,
      [dt(now), scope, key, dt(now - s.abandonAfterMs)],
    );
    return taken.affectedRows === 1 ? { kind: 'reserved' } : { kind: 'in-progress' };
  };

  return {
    reserve: async (scope, key, requestHash, now) => {
      try {
        await pool.query(
          `INSERT INTO idempotency_keys (scope, idem_key, request_hash, state, created_at) VALUES (?, ?, ?, 'pending', ?)`,
          [scope, key, requestHash, dt(now)],
        );
        // Expired answers are pruned a few at a time as new keys arrive.
        await pool.query(`DELETE FROM idempotency_keys WHERE created_at < ? LIMIT 100`, [dt(now - s.retainMs)]);
        return { kind: 'reserved' };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        return (await lookup(scope, key, requestHash, now)) ?? { kind: 'in-progress' };
      }
    },
    complete: async (scope, key, r) => {
      await pool.query(
        `UPDATE idempotency_keys SET state = 'complete', status = ?, content_type = ?, body = ? WHERE scope = ? AND idem_key = ?`,
        [r.status, r.contentType, r.body, scope, key],
      );
    },
    release: async (scope, key) => {
      await pool.query(`DELETE FROM idempotency_keys WHERE scope = ? AND idem_key = ? AND state = 'pending'`, [scope, key]);
    },
  };
};
