import type mysql from 'mysql2/promise';
import type { Recorded, UserEvent, UtcInstant } from '../../shared/events/index.js';
import { SLEEP_LOG_COLUMNS, SLEEP_LOG_ON_DUPLICATE } from './schema.js';

type Conn = mysql.PoolConnection;

/** MySQL DATETIME(3) literal of an instant: YYYY-MM-DDTHH:MM:SS.mmmZ is one form, so two slices (three per log in a rebuild). */
export const dt = (iso: UtcInstant): string => `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;

const countDelta = (conn: Conn, userId: string, column: 'followers' | 'following', delta: 1 | -1) =>
  conn.query(
    `INSERT INTO follow_counts (user_id, ${column}) VALUES (?, GREATEST(?, 0)) ON DUPLICATE KEY UPDATE ${column} = GREATEST(${column} + ?, 0)`,
    [userId, delta, delta],
  );

/** The writes one event makes to the tables, inside the caller's transaction. */
export const applyEvent = async (conn: Conn, event: Recorded<UserEvent>): Promise<void> => {
  switch (event.type) {
    case 'UserRegistered': {
      const d = event.data;
      await conn.query(
        `INSERT INTO users (user_id, handle, display_name, timezone, registered_at) VALUES (?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE handle = VALUES(handle), display_name = VALUES(display_name), timezone = VALUES(timezone)`,
        [d.userId, d.handle, d.displayName, d.timezone, dt(event.metadata.occurredAt)],
      );
      return;
    }
    case 'ProfileUpdated':
      await conn.query(`UPDATE users SET display_name = ?, timezone = ? WHERE user_id = ?`, [event.data.displayName, event.data.timezone, event.data.userId]);
      return;
    case 'SleepLogged':
    case 'SleepLogCorrected': {
      const d = event.data;
      await conn.query(
        `INSERT INTO sleep_logs ${SLEEP_LOG_COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ${SLEEP_LOG_ON_DUPLICATE}`,
        [d.logId, d.userId, dt(d.startedAt), dt(d.endedAt), d.durationMinutes, d.timezone, d.wakeDate, d.quality, d.note, dt(event.metadata.occurredAt)],
      );
      return;
    }
    case 'SleepLogRetracted':
      await conn.query(`DELETE FROM sleep_logs WHERE log_id = ?`, [event.data.logId]);
      return;
    case 'Followed': {
      const [r] = await conn.query<mysql.ResultSetHeader>(`INSERT IGNORE INTO follows (follower_id, followee_id, since) VALUES (?, ?, ?)`, [
        event.data.userId,
        event.data.followeeId,
        dt(event.metadata.occurredAt),
      ]);
      if (r.affectedRows === 1) {
        await countDelta(conn, event.data.userId, 'following', 1);
        await countDelta(conn, event.data.followeeId, 'followers', 1);
      }
      return;
    }
    case 'Unfollowed': {
      const [r] = await conn.query<mysql.ResultSetHeader>(`DELETE FROM follows WHERE follower_id = ? AND followee_id = ?`, [event.data.userId, event.data.followeeId]);
      if (r.affectedRows === 1) {
        await countDelta(conn, event.data.userId, 'following', -1);
        await countDelta(conn, event.data.followeeId, 'followers', -1);
      }
      return;
    }
  }
};
