/** `xs` cut into consecutive parts of at most `size`: for statements and commands kept within a server's limits. */
export const chunks = <A>(xs: readonly A[], size: number): A[][] => Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size));
