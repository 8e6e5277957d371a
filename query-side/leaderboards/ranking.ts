/** A board page in score order, ranked by competition ranking (1, 2, 2, 4). */
export type Ranked = { readonly member: string; readonly score: number; readonly rank: number };

/**
 * `higherThanFirst` is how many members score strictly more than the page's first entry, so the
 * page's ranks are right even when a tie straddles the page boundary.
 */
export const rankPage = (page: readonly (readonly [string, number])[], offset: number, higherThanFirst: number): Ranked[] => {
  let rank = higherThanFirst + 1;
  return page.map(([member, score], i) => {
    const previous = page[i - 1];
    if (previous && previous[1] !== score) rank = offset + i + 1;
    return { member, score, rank };
  });
};
