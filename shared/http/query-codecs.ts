import * as t from 'io-ts';
import { pipe } from 'fp-ts/lib/function.js';
import * as E from 'fp-ts/lib/Either.js';

/** `limit` from a query string: an integer, clamped into [1, max] rather than refused. */
export const clampedLimit = (max: number) =>
  new t.Type<number, string, unknown>(
    'Limit',
    (u): u is number => typeof u === 'number',
    (u, c) =>
      pipe(
        t.string.validate(u, c),
        E.chain((s) => (/^-?\d{1,9}$/.test(s) ? t.success(Math.min(max, Math.max(1, Number(s)))) : t.failure(u, c, 'expected an integer'))),
      ),
    String,
  );

/** An opaque cursor: base64url of a non-negative offset (clients must not build their own). */
export const OffsetCursor = new t.Type<number, string, unknown>(
  'Cursor',
  (u): u is number => typeof u === 'number',
  (u, c) =>
    pipe(
      t.string.validate(u, c),
      E.chain((s) => {
        const decoded = Buffer.from(s, 'base64url').toString('utf8');
        const m = /^o:(\d{1,9})$/.exec(decoded);
        return m ? t.success(Number(m[1])) : t.failure(u, c, 'expected a cursor returned by a previous page');
      }),
    ),
  (n) => Buffer.from(`o:${n}`).toString('base64url'),
);
