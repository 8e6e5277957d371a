import * as t from 'io-ts';

import { nullable, UserRef } from '../users.js';

export const RankedEntry = t.type({ rank: t.number, user: UserRef, score: t.number }, 'RankedEntry');

/**
 * The answer of the board routes. It documents the response in OpenAPI and, as the route's
 * response schema, lets Fastify serialise it with a compiled serializer instead of JSON.stringify.
 */
export const BoardPage = t.type(
  {
    period: t.keyof({ day: null, week: null, month: null }),
    window: t.string,
    total: t.number,
    entries: t.array(RankedEntry),
    me: nullable(t.type({ rank: t.number, score: t.number })),
    nextCursor: nullable(t.string),
  },
  'LeaderboardPage',
);
export type BoardPage = t.TypeOf<typeof BoardPage>;
