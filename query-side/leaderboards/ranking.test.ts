import { describe, expect, it } from 'vitest';
import { rankPage } from './ranking.js';
import { pairs } from '../with-scores.js';

describe('competition ranking', () => {
  it('gives ties the same rank and skips the ranks they take up', () => {
    const page = pairs(['a', '500', 'b', '400', 'c', '400', 'd', '300']);
    expect(rankPage(page, 0, 0).map((r) => r.rank)).toEqual([1, 2, 2, 4]);
  });

  it('ranks a page that starts inside a tie from the count of higher scores', () => {
    // Board: a 500, b 400, c 400, d 400, e 300; the page starts at offset 2 (c).
    const page = pairs(['c', '400', 'd', '400', 'e', '300']);
    expect(rankPage(page, 2, 1).map((r) => r.rank)).toEqual([2, 2, 5]);
  });
});
