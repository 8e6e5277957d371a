/** Pairs ioredis' flat WITHSCORES reply. */
export const pairs = (flat: readonly string[]): [string, number][] => {
  const out: [string, number][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i] ?? '', Number(flat[i + 1])]);
  return out;
};
