import * as t from 'io-ts';
import { CalendarDate } from '../../shared/events/index.js';
import { clampedLimit, OffsetCursor } from '../../shared/http/query-codecs.js';
import type { Clock } from '../../shared/ids.js';
import { nullable, UserRef } from '../users.js';

const Period = t.keyof({ day: null, week: null, month: null });

/** The query of the paged board routes (global and friends). */
export const BoardQuery = t.intersection([t.type({ period: Period }), t.partial({ date: CalendarDate, limit: clampedLimit(100), cursor: OffsetCursor })]);

/** The board routes' defaults: today's window (by the clock), 20 entries, from the top. */
export const dateOrToday = (date: string | undefined, clock: Clock): string => date ?? new Date(clock()).toISOString().slice(0, 10);
export const pageOf = (q: t.TypeOf<typeof BoardQuery>, clock: Clock) => ({ date: dateOrToday(q.date, clock), limit: q.limit ?? 20, offset: q.cursor ?? 0 });

export const RankedEntry = t.type({ rank: t.number, user: UserRef, score: t.number }, 'RankedEntry');

/**
 * The answer of the board routes. It documents the response in OpenAPI and, as the route's
 * response schema, lets Fastify serialise it with a compiled serializer instead of JSON.stringify.
 */
export const BoardPage = t.type(
  {
    period: Period,
    window: t.string,
    total: t.number,
    entries: t.array(RankedEntry),
    me: nullable(t.type({ rank: t.number, score: t.number })),
    nextCursor: nullable(t.string),
  },
  'LeaderboardPage',
);
export type BoardPage = t.TypeOf<typeof BoardPage>;
