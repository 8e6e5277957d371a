import * as t from 'io-ts';
import { pipe } from 'fp-ts/lib/function.js';
import * as E from 'fp-ts/lib/Either.js';
import { isUuid } from '../../shared/events/index.js';

/** Where a page ended: the last entry's score (endedAt in epoch ms) and log id. */
export type FeedPosition = { readonly score: number; readonly logId: string };

/**
 * An opaque cursor: base64url of the last entry shown. The next page starts strictly after that
 * entry in feed order (newest first, equal end times by descending log id), so it stays put while
 * newer logs arrive at the head of the feed, unlike an offset.
 */
export const FeedCursor = new t.Type<FeedPosition, string, unknown>(
  'Cursor',
  (u): u is FeedPosition => typeof u === 'object' && u !== null && 'score' in u && 'logId' in u,
  (u, c) =>
    pipe(
      t.string.validate(u, c),
      E.chain((s) => {
        const m = /^f:(\d{1,16}):([0-9a-f-]{36})$/.exec(Buffer.from(s, 'base64url').toString('utf8'));
        return m?.[1] && m[2] && isUuid(m[2])
          ? t.success({ score: Number(m[1]), logId: m[2] })
          : t.failure(u, c, 'expected a cursor returned by a previous page');
      }),
    ),
  (p) => Buffer.from(`f:${p.score}:${p.logId}`).toString('base64url'),
);
