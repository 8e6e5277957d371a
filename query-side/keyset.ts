import * as t from 'io-ts';
import { pipe } from 'fp-ts/lib/function.js';
import * as E from 'fp-ts/lib/Either.js';
import { isUuid } from '../shared/events/index.js';

/** A position in a list ordered by (instant, id), both descending: the last item a page showed. */
export type Keyset = { readonly at: string; readonly id: string };

const instantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * An opaque keyset cursor: base64url of the last item's instant and id. The next page starts
 * strictly after it, so rows added meanwhile neither repeat nor shift the page (an offset would).
 * Named `Cursor` so the OpenAPI document shows it as an opaque string.
 */
export const KeysetCursor = new t.Type<Keyset, string, unknown>(
  'Cursor',
  (u): u is Keyset => typeof u === 'object' && u !== null && 'at' in u && 'id' in u,
  (u, c) =>
    pipe(
      t.string.validate(u, c),
      E.chain((s) => {
        const m = /^k:([^|]+)\|([^|]+)$/.exec(Buffer.from(s, 'base64url').toString('utf8'));
        const at = m?.[1] ?? '';
        const id = m?.[2] ?? '';
        return instantPattern.test(at) && !Number.isNaN(Date.parse(at)) && isUuid(id)
          ? t.success({ at, id })
          : t.failure(u, c, 'expected a cursor returned by a previous page');
      }),
    ),
  (k) => Buffer.from(`k:${k.at}|${k.id}`).toString('base64url'),
);

/** MySQL DATETIME(3) (read as a UTC string, see shared/mysql/pool.ts) → ISO 8601 instant. */
export const instantOf = (datetime: unknown): string => `${String(datetime).replace(' ', 'T')}Z`;

/** ISO 8601 instant → MySQL DATETIME(3) literal. */
export const datetimeOf = (instant: string): string => instant.replace('T', ' ').replace('Z', '');

/**
 * Splits `limit + 1` rows (fetched to learn whether more follow) into the page and the cursor of
 * its last item, or null when this is the last page.
 */
export const keysetPage = <R>(rows: readonly R[], limit: number, keyOf: (row: R) => Keyset): { items: R[]; nextCursor: string | null } => {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? KeysetCursor.encode(keyOf(last)) : null };
};
