/**
 * Redis keys of the home feeds. The projector (writing) and the query side (reading) both name
 * keys here, so the two cannot disagree. Lua scripts that reach keys they were not handed (a
 * rebuild walks the followees' `author:` sets, a page read fetches `item:` strings) build them
 * from `base` with the same suffixes, spelled out below.
 */
export type FeedKeys = {
  /** `<prefix>feed:`; scripts append `author:<id>` or `item:<id>` to it. */
  readonly base: string;
  /** String: the JSON of one log (a FeedItem), shared by every feed; expires with the retention. */
  item(logId: string): string;
  /** Sorted set: the author's own logs within the retention, score = endedAt in epoch ms. */
  author(userId: string): string;
  /** Hash: follower id → follow epoch (the follower's stream revision of the Followed event). */
  followers(userId: string): string;
  /** Hash: followee id → the same follow epoch. */
  following(userId: string): string;
  /** Sorted set: log ids in the owner's feed, score = endedAt in epoch ms, newest first on read. */
  home(ownerId: string): string;
  /** String: the highest score trimmed from the owner's feed for length since it was last rebuilt. */
  trimmed(ownerId: string): string;
  /** Hash: stream id → last applied revision. */
  readonly guard: string;
};

export const feedKeys = (prefix: string): FeedKeys => {
  const base = `${prefix}feed:`;
  return {
    base,
    item: (logId) => `${base}item:${logId}`,
    author: (userId) => `${base}author:${userId}`,
    followers: (userId) => `${base}followers:${userId}`,
    following: (userId) => `${base}following:${userId}`,
    home: (ownerId) => `${base}home:${ownerId}`,
    trimmed: (ownerId) => `${base}trimmed:${ownerId}`,
    guard: `${base}guard`,
  };
};

export const DAY_MS = 86_400_000;

/** Feed entries whose log ended before this instant (epoch ms) are past the retention. */
export const retentionCutoff = (nowMs: number, retentionDays: number): number => nowMs - retentionDays * DAY_MS;
