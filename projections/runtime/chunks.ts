/** `xs` cut into consecutive parts of at most `size`: for statements and commands kept within a server's limits. */
export const chunks = <A>(xs: readonly A[], size: number): A[][] => Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size));

/**
 * `xs` cut into consecutive parts of at most `size` items and at most `bytes` by `bytesOf`, for
 * statements whose rows vary in size (an item bigger than `bytes` goes alone).
 */
export const chunksWithin = <A>(xs: readonly A[], size: number, bytes: number, bytesOf: (x: A) => number): A[][] => {
  const parts: A[][] = [];
  let part: A[] = [];
  let used = 0;
  for (const x of xs) {
    const b = bytesOf(x);
    if (part.length > 0 && (part.length >= size || used + b > bytes)) {
      parts.push(part);
      part = [];
      used = 0;
    }
    part.push(x);
    used += b;
  }
  if (part.length > 0) parts.push(part);
  return parts;
};
