import * as t from 'io-ts';
import { pipe } from 'fp-ts/lib/function.js';
import * as E from 'fp-ts/lib/Either.js';
import { toUtcInstant, type UtcInstant } from '../events/values.js';

const withOffset = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * ISO 8601 date-time that names its offset (`Z` or `±hh:mm`), decoded to a UTC instant.
 * A time without an offset is ambiguous across time zones, so it is refused.
 */
export const IsoDateTimeWithOffset = new t.Type<UtcInstant, string, unknown>(
  'IsoDateTimeWithOffset',
  (u): u is UtcInstant => typeof u === 'string' && withOffset.test(u),
  (u, c) =>
    pipe(
      t.string.validate(u, c),
      E.chain((s) => {
        const ms = Date.parse(s);
        return withOffset.test(s) && !Number.isNaN(ms)
          ? t.success(toUtcInstant(ms))
          : t.failure(u, c, 'expected an ISO 8601 date-time with an offset, e.g. 2026-11-20T23:15:00+01:00');
      }),
    ),
  (a) => a,
);
