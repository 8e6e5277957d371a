import { describe, expect, it } from 'vitest';
import { standingsOf } from './standings.js';

// As Redis answers ZRANGE … REV WITHSCORES: score descending; three tie at 450.
const flat = ['a', '500', 'd', '450', 'b', '450', 'me', '450', 'c', '400', 'e', '300.5'];

describe('standings of a whole board', () => {
  const standings = standingsOf(flat);

  it('places every member by competition ranking, and nobody who did not score', () => {
    expect(standings.total).toBe(6);
    expect(['a', 'd', 'b', 'me', 'c', 'e'].map((m) => standings.place(m))).toEqual([
      { rank: 1, score: 500 },
      { rank: 2, score: 450 },
      { rank: 2, score: 450 },
      { rank: 2, score: 450 },
      { rank: 5, score: 400 },
      { rank: 6, score: 300.5 },
    ]);
    expect(standings.place('nobody')).toBeNull();
  });

  it('pages the board, a page that starts inside a tie keeping the tie’s rank', () => {
    expect(standings.page(0, 2)).toEqual([
      { member: 'a', score: 500, rank: 1 },
      { member: 'd', score: 450, rank: 2 },
    ]);
    expect(standings.page(2, 3)).toEqual([
      { member: 'b', score: 450, rank: 2 },
      { member: 'me', score: 450, rank: 2 },
      { member: 'c', score: 400, rank: 5 },
    ]);
    expect(standings.page(5, 100)).toEqual([{ member: 'e', score: 300.5, rank: 6 }]);
    expect(standings.page(6, 10)).toEqual([]);
    expect(standings.page(60, 10)).toEqual([]);
  });

  it('is empty for an empty board', () => {
    const empty = standingsOf([]);
    expect(empty.total).toBe(0);
    expect(empty.page(0, 20)).toEqual([]);
    expect(empty.place('a')).toBeNull();
  });
});
