import * as t from 'io-ts';
import type mysql from 'mysql2/promise';
import { setNewest } from '../shared/bounded-map.js';

export const nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null]);

/** A user as boards and feeds name them in responses; handle and name are null for a user the tables lack yet. */
export const UserRef = t.type({ id: t.string, handle: nullable(t.string), displayName: nullable(t.string) }, 'UserRef');

export type UserSummary = { readonly id: string; readonly handle: string; readonly displayName: string };

/** Handles and names for pages of user ids (leaderboards, feeds). */
export type UserDirectory = { summaries(ids: readonly string[]): Promise<Map<string, UserSummary>> };

/** Straight from the users read model, in one query per page. */
const loadSummaries = async (pool: mysql.Pool, ids: readonly string[]): Promise<Map<string, UserSummary>> => {
  if (ids.length === 0) return new Map();
  const [rows] = await pool.query<mysql.RowDataPacket[]>(`SELECT user_id, handle, display_name FROM users WHERE user_id IN (?)`, [ids]);
  return new Map(rows.map((r) => [String(r.user_id), { id: String(r.user_id), handle: String(r.handle), displayName: String(r.display_name) }]));
};

/**
 * The users read model behind a small in-process cache: every leaderboard page names up to 100
 * users, and names change rarely. A name change shows on boards and feeds within `ttlMs`
 * (profiles themselves are read fresh). Unknown ids are not cached, so a new user appears at once.
 */
export const userDirectory = (pool: mysql.Pool, { ttlMs, max }: { readonly ttlMs: number; readonly max: number }, clock: () => number = Date.now): UserDirectory => {
  const cache = new Map<string, { summary: UserSummary; until: number }>();
  return {
    summaries: async (ids) => {
      const now = clock();
      const found = new Map<string, UserSummary>();
      const missing: string[] = [];
      for (const id of ids) {
        const hit = cache.get(id);
        if (hit && hit.until > now) found.set(id, hit.summary);
        else missing.push(id);
      }
      for (const [id, summary] of await loadSummaries(pool, missing)) {
        found.set(id, summary);
        setNewest(cache, id, { summary, until: now + ttlMs }, max);
      }
      return found;
    },
  };
};
