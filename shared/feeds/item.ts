import * as t from 'io-ts';
import { UUID_SOURCE } from '../events/ids.js';
import { LogId, Quality, UserId, UtcInstant, type SleepLogFacts } from '../events/index.js';

/** What a feed shows of one log; stored once per log as JSON under `item:<logId>`. */
export const FeedItem = t.strict(
  {
    logId: LogId,
    authorId: UserId,
    startedAt: UtcInstant,
    endedAt: UtcInstant,
    durationMinutes: t.number,
    quality: t.union([Quality, t.null]),
  },
  'FeedItem',
);
export type FeedItem = t.TypeOf<typeof FeedItem>;

export const feedItemOf = (facts: SleepLogFacts): FeedItem => ({
  logId: facts.logId,
  authorId: facts.userId,
  startedAt: facts.startedAt,
  endedAt: facts.endedAt,
  durationMinutes: facts.durationMinutes,
  quality: facts.quality,
});

/**
 * The stored form: always the same properties in the same order, so the same log always writes the
 * same bytes and a feed page can splice it (below) instead of parsing it.
 */
export const encodeFeedItem = (item: FeedItem): string =>
  JSON.stringify({ logId: item.logId, authorId: item.authorId, startedAt: item.startedAt, endedAt: item.endedAt, durationMinutes: item.durationMinutes, quality: item.quality });

const instant = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';
const storedForm = new RegExp(
  `^\\{"logId":"(${UUID_SOURCE})","authorId":"(${UUID_SOURCE})",("startedAt":"${instant}","endedAt":"${instant}","durationMinutes":\\d+(?:\\.\\d+)?,"quality":(?:null|[1-5])\\})$`,
);

/** A stored item cut where a page puts its author: the two ids, and the JSON after `authorId` (`"startedAt":…}`). */
export type StoredItemParts = { readonly logId: string; readonly authorId: string; readonly rest: string };

/**
 * Checks a stored item against the one layout `encodeFeedItem` writes (ids, instants, duration and
 * quality each in its form) and cuts it into parts, or undefined when it does not match. A feed page
 * serves 20 to 100 items per request: one anchored match costs a fraction of JSON.parse, a codec
 * check and a serialiser, and the parts go into the answer as they are.
 */
export const storedItemParts = (json: string): StoredItemParts | undefined => {
  const m = storedForm.exec(json);
  return m?.[1] && m[2] && m[3] ? { logId: m[1], authorId: m[2], rest: m[3] } : undefined;
};
