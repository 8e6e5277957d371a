import { createHash } from 'node:crypto';

/** A strong entity tag of a response body: the same bytes, the same tag, on every instance. */
export const etagOf = (body: string): string => `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;

/**
 * Whether If-None-Match names this tag (RFC 9110 §13.1.2: weak comparison, a list, or `*`).
 * The header may hold several tags separated by commas.
 */
export const noneMatch = (header: string | undefined, etag: string): boolean => {
  if (header === undefined) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
};
