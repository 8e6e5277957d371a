import type mysql from 'mysql2/promise';
import { metadataOf, RevisionGap, type ProjectionItem } from '../runtime/projector.js';
import { chunks, chunksWithin } from '../runtime/chunks.js';
import { unknownKeys, type TablesMemory, type User } from './memory.js';
import { dt } from './statements.js';
import { SLEEP_LOG_COLUMNS, SLEEP_LOG_ON_DUPLICATE } from './schema.js';

const NAME = 'tables';
/** Rows per multi-row statement. */
const ROWS = 1_000;
/**
 * Sleep logs, nearly every row a rebuild writes, go in bigger statements: the server then works
 * longer between two of them while the fold holds the event loop (measured on a 1M-event rebuild,
 * 1,000 to 5,000 rows: 6-13% more events/s). Kept within 4 MiB, below any server's default
 * max_allowed_packet, whatever the notes hold.
 */
const LOG_ROWS = 5_000;
const STATEMENT_BYTES = 4 * 1024 * 1024;
/** At most 4 bytes per UTF-16 unit once escaped and encoded; the rest of a row is well under 200. */
const logRowBytes = (row: unknown[]): number => 200 + 4 * row.reduce<number>((n, v) => n + (typeof v === 'string' ? v.length : 0), 0);

const byKey = (a: readonly [string, unknown], b: readonly [string, unknown]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** `initial`: the row existed before the window; `inserted`: the window (re)inserts it. */
type Follow = { initial: boolean; present: boolean; since: string; inserted: boolean };

export type Queryable = Pick<mysql.Pool, 'query'>;

/** Upserts sleep_logs rows (as `logRows` gives them) in multi-row statements. */
export const upsertLogs = async (conn: Queryable, rows: readonly unknown[][]): Promise<void> => {
  for (const part of chunksWithin(rows, LOG_ROWS, STATEMENT_BYTES, logRowBytes)) {
    await conn.query(
      `INSERT INTO sleep_logs ${SLEEP_LOG_COLUMNS} VALUES ? ${SLEEP_LOG_ON_DUPLICATE}`,
      [part],
    );
  }
};

/**
 * Where a fold reads what it cannot know: the live projector reads inside its transaction with
 * FOR UPDATE; a rebuild, the only writer of its shadow tables, reads without locks.
 */
export const tablesReader = (db: Queryable, lock: boolean) => {
  const forUpdate = lock ? ' FOR UPDATE' : '';
  return {
    guards: async (streams: readonly string[], into: Map<string, number>) => {
      for (const part of chunks(streams, ROWS)) {
        const [rows] = await db.query<mysql.RowDataPacket[]>(`SELECT stream_id, revision FROM projection_guards WHERE projection = ? AND stream_id IN (?)${forUpdate}`, [NAME, part]);
        for (const r of rows) into.set(String(r.stream_id), Number(r.revision));
      }
    },
    users: async (ids: readonly string[], into: Map<string, User | null>) => {
      for (const part of chunks(ids, ROWS)) {
        const [rows] = await db.query<mysql.RowDataPacket[]>(`SELECT user_id, handle, display_name, timezone FROM users WHERE user_id IN (?)${forUpdate}`, [part]);
        // registeredAt '': a user read from the table keeps its registered_at (the upsert does not touch it).
        for (const r of rows) into.set(String(r.user_id), { handle: String(r.handle), displayName: String(r.display_name), timezone: String(r.timezone), registeredAt: '' });
      }
    },
    follows: async (pairs: readonly (readonly [string, string])[], present: (key: string) => void) => {
      for (const part of chunks(pairs, ROWS)) {
        const [rows] = await db.query<mysql.RowDataPacket[]>(`SELECT follower_id, followee_id FROM follows WHERE (follower_id, followee_id) IN (?)${forUpdate}`, [part]);
        for (const r of rows) present(`${String(r.follower_id)}/${String(r.followee_id)}`);
      }
    },
  };
};
export type TablesReader = ReturnType<typeof tablesReader>;

/**
 * What folded items will write to the tables: the rows the per-item statements (statements.ts)
 * would leave, netted over every item folded (one page for the live projector, several for a
 * rebuild), then written by `write` in a handful of multi-row statements inside the caller's
 * transaction, each stream's guard once. The fold follows the guard rules (skip what was applied,
 * stop at a gap: `gap` then holds it and every item before it is kept). What it does not know it
 * takes from `memory`, else reads once per key through the reader. Memory: O(keys met), not
 * O(events), apart from the rows of the logs met.
 */
export const tablesWindow = (memory?: TablesMemory) => {
  const complete = memory?.complete ?? false;
  // Per stream its revision as the window leaves it (-1: none); per user its row (null: none).
  const applied = new Map<string, number>();
  const users = new Map<string, User | null>();
  const follows = new Map<string, Follow>();
  const usersWritten = new Set<string>();
  // Per log its row as the window leaves it; null: retracted, the row is deleted. (A row written
  // in full after a retraction needs no delete first: the upsert sets every column.)
  const logs = new Map<string, unknown[] | null>();
  const counts = new Map<string, { followers: number; following: number }>();
  const touched = new Set<string>();
  let gap: RevisionGap | undefined;

  const count = (userId: string, column: 'followers' | 'following', by: number) => {
    let c = counts.get(userId);
    if (!c) counts.set(userId, (c = { followers: 0, following: 0 }));
    c[column] += by;
  };

  /** Takes into the window, from the memory or the reader, the guards, users and follow pairs `items` need. */
  const load = async (items: readonly ProjectionItem[], reader: TablesReader) => {
    const streams = new Set<string>();
    const userIds = new Set<string>();
    const pairs = new Map<string, readonly [string, string]>();
    for (const item of items) {
      const stream = metadataOf(item).streamId;
      if (!applied.has(stream)) streams.add(stream);
      if (item.kind !== 'event') continue;
      const e = item.event;
      if ((e.type === 'UserRegistered' || e.type === 'ProfileUpdated') && !users.has(e.data.userId)) userIds.add(e.data.userId);
      if (e.type === 'Followed' || e.type === 'Unfollowed') {
        const key = `${e.data.userId}/${e.data.followeeId}`;
        if (!follows.has(key)) pairs.set(key, [e.data.userId, e.data.followeeId]);
      }
    }
    const read = new Map<string, number>();
    await reader.guards(unknownKeys(memory?.guards, complete, streams), read);
    for (const stream of streams) applied.set(stream, read.get(stream) ?? memory?.guards.get(stream) ?? -1);

    const readUsers = new Map<string, User | null>();
    await reader.users(unknownKeys(memory?.users, complete, userIds), readUsers);
    for (const id of userIds) {
      // Copies: the fold changes them, and the memory must hold what was written.
      const known = readUsers.get(id) ?? memory?.users.get(id);
      users.set(id, known ? { ...known } : null);
    }

    const present = new Set<string>();
    await reader.follows(
      unknownKeys(memory?.follows, complete, pairs.keys()).map((key) => pairs.get(key) ?? ['', '']),
      (key) => present.add(key),
    );
    for (const key of pairs.keys()) {
      const initial = present.has(key) || memory?.follows.get(key) === true;
      follows.set(key, { initial, present: initial, since: '', inserted: false });
    }
  };

  const foldItems = (items: readonly ProjectionItem[]) => {
    for (const item of items) {
      const meta = metadataOf(item);
      const last = applied.get(meta.streamId) ?? -1;
      if (meta.revision <= last) continue;
      if (meta.revision > last + 1) {
        gap = new RevisionGap(meta.streamId, last + 1, meta.revision);
        return;
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
          logs.set(d.logId, row);
          break;
        }
        case 'SleepLogRetracted':
          logs.set(e.data.logId, null);
          break;
        case 'Followed': {
          const f = follows.get(`${e.data.userId}/${e.data.followeeId}`);
          if (!f || f.present) break;
          f.present = true;
          f.inserted = true;
          f.since = dt(e.metadata.occurredAt);
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
  };

  // In primary-key order: InnoDB then fills its pages one after another instead of splitting
  // pages all over its clustered index (the ids are name-based, random in order).
  const logRows = (): unknown[][] => [...logs].sort(byKey).flatMap(([, row]) => (row ? [row] : []));

  return {
    get gap() {
      return gap;
    },
    /** Whether any item moved a guard, that is whether `write` has anything to write. */
    get moved() {
      return touched.size > 0;
    },
    /** Folds `items` in order; after a gap it takes nothing more. */
    fold: async (items: readonly ProjectionItem[], reader: TablesReader) => {
      if (gap || items.length === 0) return;
      await load(items, reader);
      foldItems(items);
    },
    /** Tells the memory what the tables hold once `write` has committed. */
    teach: (into: TablesMemory) => {
      for (const [stream, revision] of applied) into.guards.set(stream, revision);
      for (const [id, user] of users) into.users.set(id, user);
      for (const [key, f] of follows) into.follows.set(key, f.present);
    },
    /**
     * The sleep_logs rows the window upserts, in primary-key order. `write` deletes only logs the
     * window leaves without a row, so these may be written apart, before or after it.
     */
    logRows,
    /** Writes the window; `logRows: false` leaves out the sleep_logs upserts, written apart by the caller. */
    write: async (conn: Queryable, options: { readonly logRows?: boolean } = {}) => {
      const userRows = [...usersWritten].flatMap((id) => {
        const u = users.get(id);
        return u ? [[id, u.handle, u.displayName, u.timezone, u.registeredAt || '1970-01-01 00:00:00.000']] : [];
      });
      for (const part of chunks(userRows, ROWS)) {
        await conn.query(
          `INSERT INTO users (user_id, handle, display_name, timezone, registered_at) VALUES ?
           ON DUPLICATE KEY UPDATE handle = VALUES(handle), display_name = VALUES(display_name), timezone = VALUES(timezone)`,
          [part],
        );
      }
      const deleted = [...logs].filter(([, row]) => row === null).map(([id]) => id);
      for (const part of chunks(deleted, ROWS)) await conn.query(`DELETE FROM sleep_logs WHERE log_id IN (?)`, [part]);
      if (options.logRows !== false) await upsertLogs(conn, logRows());
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
    },
  };
};
