import { CalendarDate } from '../../shared/events/index.js';
import type { FastifyInstance } from 'fastify';
import type mysql from 'mysql2/promise';
import * as t from 'io-ts';
import { authenticate, principalOf } from '../../shared/auth/authenticate.js';
import { decodeRequest } from '../../shared/http/decode.js';
import { routeSchema } from '../../shared/http/openapi.js';
import { problem, sendProblem, validationProblem } from '../../shared/http/problem.js';
import { clampedLimit } from '../../shared/http/query-codecs.js';
import { sleepAccess, UserPath } from '../access.js';
import type { QueryDeps } from '../deps.js';
import { datetimeOf, instantOf, keysetPage, KeysetCursor } from '../keyset.js';

const SleepLogsQuery = t.partial({ from: CalendarDate, to: CalendarDate, limit: clampedLimit(100), cursor: KeysetCursor });

export type SleepLogItem = {
  readonly logId: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly durationMinutes: number;
  readonly wakeDate: string;
  readonly quality: number | null;
  readonly note: string | null;
};

const itemOf = (r: mysql.RowDataPacket): SleepLogItem => ({
  logId: String(r.log_id),
  startedAt: instantOf(r.started_at),
  endedAt: instantOf(r.ended_at),
  durationMinutes: Number(r.duration_minutes),
  wakeDate: String(r.wake_date),
  quality: r.quality === null ? null : Number(r.quality),
  note: r.note === null ? null : String(r.note),
});

/**
 * GET /v1/users/:userId/sleep-logs: newest first by end time, paged by keyset on (ended_at,
 * log_id), which the (user_id, ended_at) index serves (InnoDB appends the primary key to it).
 * `from`/`to` bound the wake date, both inclusive.
 */
export const sleepLogsRoute = (deps: QueryDeps) => (app: FastifyInstance): void => {
  const schema = routeSchema({ summary: 'A user’s sleep logs (the user and their followers)', tags: ['sleep-logs'], auth: true, params: UserPath, querystring: SleepLogsQuery });
  app.get('/v1/users/:userId/sleep-logs', { schema, preHandler: authenticate(deps.tokens) }, async (request, reply) => {
    const path = decodeRequest(UserPath, request, reply, 'params');
    if (!path) return reply;
    const q = decodeRequest(SleepLogsQuery, request, reply, 'query');
    if (!q) return reply;
    if (q.from !== undefined && q.to !== undefined && q.from > q.to) {
      return sendProblem(reply, validationProblem([{ path: '/from', message: 'must not be after to' }], 'query'));
    }
    const access = await sleepAccess(deps.pool, principalOf(request).userId, path.userId);
    if (access.denied) return sendProblem(reply, problem(access.denied, access.denied === 'FORBIDDEN' ? 'Only the user and their followers see their sleep.' : `No user ${path.userId}.`));

    const limit = q.limit ?? 20;
    const where = ['user_id = ?'];
    const values: unknown[] = [path.userId];
    if (q.from !== undefined) {
      where.push('wake_date >= ?');
      values.push(q.from);
    }
    if (q.to !== undefined) {
      where.push('wake_date <= ?');
      values.push(q.to);
    }
    if (q.cursor) {
      const at = datetimeOf(q.cursor.at);
      where.push('(ended_at < ? OR (ended_at = ? AND log_id < ?))');
      values.push(at, at, q.cursor.id);
    }
    const [rows] = await deps.pool.query<mysql.RowDataPacket[]>(
      `SELECT log_id, started_at, ended_at, duration_minutes, wake_date, quality, note FROM sleep_logs
       WHERE ${where.join(' AND ')} ORDER BY ended_at DESC, log_id DESC LIMIT ?`,
      [...values, limit + 1],
    );
    const page = keysetPage(rows.map(itemOf), limit, (item) => ({ at: item.endedAt, id: item.logId }));
    return reply.send({ userId: path.userId, items: page.items, nextCursor: page.nextCursor });
  });
};
