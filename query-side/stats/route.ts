import type { FastifyInstance } from 'fastify';
import type mysql from 'mysql2/promise';
import * as t from 'io-ts';
import { authenticate, principalOf } from '../../shared/auth/authenticate.js';
import { decodeRequest } from '../../shared/http/decode.js';
import { routeSchema } from '../../shared/http/openapi.js';
import { problem, sendProblem } from '../../shared/http/problem.js';
import { sleepAccess, UserPath } from '../access.js';
import type { QueryDeps } from '../deps.js';
import { addDays, dateIn, periodRange } from './calendar.js';

const StatsQuery = t.strict({ period: t.keyof({ week: null, month: null, all: null }) });

/**
 * A night is a wake date: two logs waking the same day (a night and a nap) are one night, and
 * the average is minutes per night (total / nights), as on the leaderboards.
 */
const totals = async (pool: mysql.Pool, userId: string, range: { from: string; to: string } | null) => {
  const [rows] = await pool.query<mysql.RowDataPacket[]>(
    `SELECT COUNT(DISTINCT wake_date) AS nights, COALESCE(SUM(duration_minutes), 0) AS total,
            ROUND(SUM(duration_minutes) / NULLIF(COUNT(DISTINCT wake_date), 0), 1) AS average
     FROM sleep_logs WHERE user_id = ?${range ? ' AND wake_date BETWEEN ? AND ?' : ''}`,
    range ? [userId, range.from, range.to] : [userId],
  );
  const r = rows[0];
  return { nights: Number(r?.nights ?? 0), totalMinutes: Number(r?.total ?? 0), averageMinutes: r?.average == null ? null : Number(r.average) };
};

/**
 * The current streak: consecutive wake dates ending today or yesterday. Yesterday counts because
 * tonight's sleep cannot be logged before waking tomorrow: a streak is broken only once a whole
 * day passed without a log. Gaps and islands in SQL: numbered newest first, consecutive dates
 * share `wake_date + row number`; the island holding today has today + 1, the one holding
 * yesterday (when today has no log) has today. Dates after today (logged in another time zone
 * before the user moved) are left out.
 */
const currentStreak = async (pool: mysql.Pool, userId: string, today: string): Promise<number> => {
  const [rows] = await pool.query<mysql.RowDataPacket[]>(
    `SELECT COALESCE(SUM(grp = ?), 0) AS ending_today, COALESCE(SUM(grp = ?), 0) AS ending_yesterday FROM (
       SELECT DATE_ADD(wake_date, INTERVAL ROW_NUMBER() OVER (ORDER BY wake_date DESC) DAY) AS grp
       FROM (SELECT DISTINCT wake_date FROM sleep_logs WHERE user_id = ? AND wake_date <= ?) dates
     ) islands`,
    [addDays(today, 1), today, userId, today],
  );
  const endingToday = Number(rows[0]?.ending_today ?? 0);
  return endingToday > 0 ? endingToday : Number(rows[0]?.ending_yesterday ?? 0);
};

/**
 * GET /v1/users/:userId/stats?period=week|month|all. "Today" is the clock's instant in the time
 * zone of the user's profile (users.timezone), since the streak and the windows are the user's
 * days; each log's wake date was fixed in the zone it was logged in.
 */
export const statsRoute = (deps: QueryDeps) => (app: FastifyInstance): void => {
  const schema = routeSchema({ summary: 'A user’s sleep statistics (the user and their followers)', tags: ['sleep-logs'], auth: true, params: UserPath, querystring: StatsQuery });
  app.get('/v1/users/:userId/stats', { schema, preHandler: authenticate(deps.tokens) }, async (request, reply) => {
    const path = decodeRequest(UserPath, request, reply, 'params');
    if (!path) return reply;
    const q = decodeRequest(StatsQuery, request, reply, 'query');
    if (!q) return reply;
    const access = await sleepAccess(deps.pool, principalOf(request).userId, path.userId);
    if (access.denied) return sendProblem(reply, problem(access.denied, access.denied === 'FORBIDDEN' ? 'Only the user and their followers see their sleep.' : `No user ${path.userId}.`));

    const today = dateIn(deps.clock(), access.user.timezone);
    const range = periodRange(q.period, today);
    const [sums, streak] = await Promise.all([totals(deps.pool, path.userId, range), currentStreak(deps.pool, path.userId, today)]);
    return reply.send({ userId: path.userId, period: q.period, today, timezone: access.user.timezone, window: range, ...sums, currentStreak: streak });
  });
};
