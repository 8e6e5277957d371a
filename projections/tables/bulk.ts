import type mysql from 'mysql2/promise';
import { inTransaction } from '../../shared/mysql/pool.js';
import type { Projector } from '../runtime/projector.js';
import { metadataOf, RevisionGap } from '../runtime/projector.js';
import { unknownKeys, type TablesMemory, type User } from './memory.js';

const NAME = 'tables';
/** Rows per multi-row statement. */
const ROWS = 1_000;

const dt = (iso: string): string => iso.replace('T', ' ').replace('Z', '');
const chunks = <A>(xs: readonly A[], size: number): A[][] => Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size));

type Log = { row: unknown[] | null; deleted: boolean };
type Follow = { initial: boolean; present: boolean; since: string; inserted: boolean };

/**
 * The tables projector for a rebuild: a whole page of items in one transaction, with the rows the
 * per-item statements (statements.ts) would leave, in a handful of multi-row statements instead of
 * one to three statements per item.
 *
 * Per page: the guards of its streams (locked), the users it updates and the follow pairs it
 * touches are read; the page is folded in memory in order (same guard rules: skip what was
 * applied, stop at a gap); then the final rows are written: users and sleep logs as multi-row
 * upserts (retracted logs deleted first), follows deleted/inserted, follow_counts by their net
 * change per user, the guards last. Memory: O(page), plus the rebuild's `memory` when given
 * (then keys it knows are not read: see memory.ts).
 */
export const bulkTablesProjector = (pool: mysql.Pool, memory?: TablesMemory): Projector => ({
  name: NAME,
  apply: async (items) => {
    if (items.length === 0) return;
    const complete = memory?.complete ?? false;
    let gap: RevisionGap | undefined;
    // Set inside the transaction, run after its commit.
    let learn = () => undefined as void;
    await inTransaction(pool, async (conn) => {
      const streams = new Set(items.map((i) => metadataOf(i).streamId));
      const applied = new Map<string, number>();
      for (const part of chunks(unknownKeys(memory?.guards, complete, streams), ROWS)) {
        const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT stream_id, revision FROM projection_guards WHERE projection = ? AND stream_id IN (?) FOR UPDATE`, [NAME, part]);
        for (const r of rows) applied.set(String(r.stream_id), Number(r.revision));
      }
      if (memory) for (const stream of streams) if (memory.guards.has(stream)) applied.set(stream, memory.guards.get(stream) ?? -1);

      // What the page reads before it folds: the users it updates, the follow pairs it touches.
      const userIds = new Set<string>();
      const pairs = new Map<string, [string, string]>();
      for (const item of items) {
        if (item.kind !== 'event') continue;
        const e = item.event;
        if (e.type === 'UserRegistered' || e.type === 'ProfileUpdated') userIds.add(e.data.userId);
        if (e.type === 'Followed' || e.type === 'Unfollowed') pairs.set(`${e.data.userId}/${e.data.followeeId}`, [e.data.userId, e.data.followeeId]);
      }
      const users = new Map<string, User>();
      for (const part of chunks(unknownKeys(memory?.users, complete, userIds), ROWS)) {
        const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT user_id, handle, display_name, timezone, registered_at FROM users WHERE user_id IN (?) FOR UPDATE`, [part]);
        for (const r of rows) users.set(String(r.user_id), { handle: String(r.handle), displayName: String(r.display_name), timezone: String(r.timezone), registeredAt: '' });
      }
      // Copies: the fold changes them, and the memory may only learn what a committed page wrote.
      if (memory) {
        for (const id of userIds) {
          const known = memory.users.get(id);
          if (known) users.set(id, { ...known });
        }
      }
      const follows = new Map<string, Follow>();
      const present = (key: string) => follows.set(key, { initial: true, present: true, since: '', inserted: false });
      for (const part of chunks(unknownKeys(memory?.follows, complete, pairs.keys()).map((key) => pairs.get(key) ?? []), ROWS)) {
        const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT follower_id, followee_id FROM follows WHERE (follower_id, followee_id) IN (?) FOR UPDATE`, [part]);
        for (const r of rows) present(`${String(r.follower_id)}/${String(r.followee_id)}`);
      }
      if (memory) for (const key of pairs.keys()) if (memory.follows.get(key)) present(key);

      const usersWritten = new Set<string>();
      const logs = new Map<string, Log>();
      const counts = new Map<string, { followers: number; following: number }>();
      const count = (userId: string, column: 'followers' | 'following', by: number) => {
        const c = counts.get(userId) ?? { followers: 0, following: 0 };
        c[column] += by;
        counts.set(userId, c);
      };
      const touched = new Set<string>();

      for (const item of items) {
        const meta = metadataOf(item);
        const last = applied.get(meta.streamId) ?? -1;
        if (meta.revision <= last) continue;
        if (meta.revision > last + 1) {
          gap = new RevisionGap(meta.streamId, last + 1, meta.revision);
          break;
        }
        applied.set(meta.streamId, meta.revision);
        touched.add(meta.streamId);
        if (item.kind !== 'event') continue;
        const e = item.event;
        switch (e.type) {
          case 'UserRegistered': {
            const d = e.data;
            const was = users.get(d.userId);
            // ON DUPLICATE KEY UPDATE keeps registered_at: the row's first value stays.
            users.set(d.userId, { handle: d.handle, displayName: d.displayName, timezone: d.timezone, registeredAt: was ? was.registeredAt : dt(e.metadata.occurredAt) });
            usersWritten.add(d.userId);
            break;
          }
          case 'ProfileUpdated': {
            const user = users.get(e.data.userId);
            if (user) {
              user.displayName = e.data.displayName;
              user.timezone = e.data.timezone;
              usersWritten.add(e.data.userId);
            }
            break;
          }
          case 'SleepLogged':
          case 'SleepLogCorrected': {
            const d = e.data;
            const row = [d.logId, d.userId, dt(d.startedAt), dt(d.endedAt), d.durationMinutes, d.timezone, d.wakeDate, d.quality, d.note, dt(e.metadata.occurredAt)];
            logs.set(d.logId, { row, deleted: logs.get(d.logId)?.deleted ?? false });
            break;
          }
          case 'SleepLogRetracted':
            logs.set(e.data.logId, { row: null, deleted: true });
            break;
          case 'Followed': {
            const key = `${e.data.userId}/${e.data.followeeId}`;
            const f = follows.get(key);
            if (f?.present) break;
            follows.set(key, { initial: f?.initial ?? false, present: true, since: dt(e.metadata.occurredAt), inserted: true });
            count(e.data.userId, 'following', 1);
            count(e.data.followeeId, 'followers', 1);
            break;
          }
          case 'Unfollowed': {
            const f = follows.get(`${e.data.userId}/${e.data.followeeId}`);
            if (!f?.present) break;
            f.present = false;
            count(e.data.userId, 'following', -1);
            count(e.data.followeeId, 'followers', -1);
            break;
          }
        }
      }
      if (touched.size === 0) return;

      const userRows = [...usersWritten].flatMap((id) => {
        const u = users.get(id);
        // A user read from the table keeps its registered_at (the upsert does not touch it).
        return u ? [[id, u.handle, u.displayName, u.timezone, u.registeredAt || '1970-01-01 00:00:00.000']] : [];
      });
      for (const part of chunks(userRows, ROWS)) {
        await conn.query(
          `INSERT INTO users (user_id, handle, display_name, timezone, registered_at) VALUES ?
           ON DUPLICATE KEY UPDATE handle = VALUES(handle), display_name = VALUES(display_name), timezone = VALUES(timezone)`,
          [part],
        );
      }
      const deleted = [...logs].filter(([, l]) => l.deleted).map(([id]) => id);
      for (const part of chunks(deleted, ROWS)) await conn.query(`DELETE FROM sleep_logs WHERE log_id IN (?)`, [part]);
      const logRows = [...logs.values()].flatMap((l) => (l.row ? [l.row] : []));
      for (const part of chunks(logRows, ROWS)) {
        await conn.query(
          `INSERT INTO sleep_logs (log_id, user_id, started_at, ended_at, duration_minutes, timezone, wake_date, quality, note, updated_at) VALUES ?
           ON DUPLICATE KEY UPDATE started_at = VALUES(started_at), ended_at = VALUES(ended_at), duration_minutes = VALUES(duration_minutes),
             timezone = VALUES(timezone), wake_date = VALUES(wake_date), quality = VALUES(quality), note = VALUES(note), updated_at = VALUES(updated_at)`,
          [part],
        );
      }
      const unfollowed = [...follows].filter(([, f]) => f.initial && (!f.present || f.inserted)).map(([key]) => key.split('/'));
      for (const part of chunks(unfollowed, ROWS)) await conn.query(`DELETE FROM follows WHERE (follower_id, followee_id) IN (?)`, [part]);
      const followRows = [...follows].filter(([, f]) => f.present && f.inserted).map(([key, f]) => [...key.split('/'), f.since]);
      for (const part of chunks(followRows, ROWS)) await conn.query(`INSERT INTO follows (follower_id, followee_id, since) VALUES ?`, [part]);
      const countRows = [...counts].map(([id, c]) => [id, c.followers, c.following]);
      for (const part of chunks(countRows, ROWS)) {
        await conn.query(
          `INSERT INTO follow_counts (user_id, followers, following) VALUES ?
           ON DUPLICATE KEY UPDATE followers = GREATEST(followers + VALUES(followers), 0), following = GREATEST(following + VALUES(following), 0)`,
          [part],
        );
      }
      const guardRows = [...touched].map((stream) => [NAME, stream, applied.get(stream) ?? -1]);
      for (const part of chunks(guardRows, ROWS)) {
        await conn.query(`INSERT INTO projection_guards (projection, stream_id, revision) VALUES ? ON DUPLICATE KEY UPDATE revision = VALUES(revision)`, [part]);
      }
      learn = () => {
        if (!memory) return;
        for (const stream of streams) memory.guards.set(stream, applied.get(stream) ?? -1);
        for (const id of userIds) memory.users.set(id, users.get(id) ?? null);
        for (const key of pairs.keys()) memory.follows.set(key, follows.get(key)?.present ?? false);
      };
    });
    learn();
    if (gap) throw gap;
  },
});
