import { rankPage, type Ranked } from './ranking.js';

/**
 * A whole board as one read saw it, in rank order: every member's place answers from memory, and
 * every page of the board and every caller's place agree, as they came from the same read.
 */
/** A member's rank and score on a board, or null for one without a score there. */
export type Place = { readonly rank: number; readonly score: number } | null;

export type Standings = {
  readonly total: number;
  place(member: string): Place;
  page(offset: number, limit: number): Ranked[];
};

/** From a whole board read as `ZRANGE key 0 -1 REV WITHSCORES` (ioredis' flat reply). */
export const standingsOf = (flat: readonly string[]): Standings => {
  const total = flat.length >> 1;
  const scores = new Float64Array(total);
  const ranks = new Int32Array(total);
  const indexOf = new Map<string, number>();
  for (let i = 0; i < total; i++) {
    const score = Number(flat[2 * i + 1]);
    scores[i] = score;
    // Competition ranking: a tie keeps the rank of its first member.
    ranks[i] = i > 0 && scores[i - 1] === score ? (ranks[i - 1] ?? 0) : i + 1;
    indexOf.set(flat[2 * i] ?? '', i);
  }
  return {
    total,
    place: (member) => {
      const i = indexOf.get(member);
      return i === undefined ? null : { rank: ranks[i] ?? 0, score: scores[i] ?? 0 };
    },
    page: (offset, limit) => {
      const end = Math.min(total, offset + limit);
      const entries: [string, number][] = [];
      for (let i = offset; i < end; i++) entries.push([flat[2 * i] ?? '', scores[i] ?? 0]);
      return rankPage(entries, offset, offset < total ? (ranks[offset] ?? 1) - 1 : 0);
    },
  };
};
