import type mysql from 'mysql2/promise';
import type { Cache } from '../../shared/memcached/client.js';
import { loadProfiles, PROFILE_TTL_SECONDS, profileKey, type Profile } from '../../shared/profiles/profile.js';
import type { ProjectionItem, Projector } from '../runtime/projector.js';
import { batchTablesProjector } from './bulk.js';

const NAME = 'tables';
const PROFILES_PER_QUERY = 1_000;

export type ProfileCacheSettings = { readonly cache: Cache; readonly prefix: string; readonly onError: (error: unknown) => void };

/** Users whose public profile (names or follow counts) an item changes. */
const profilesTouched = (items: readonly ProjectionItem[]): Set<string> => {
  const ids = new Set<string>();
  for (const item of items) {
    if (item.kind !== 'event') continue;
    const e = item.event;
    if (e.type === 'UserRegistered' || e.type === 'ProfileUpdated') ids.add(e.data.userId);
    if (e.type === 'Followed' || e.type === 'Unfollowed') ids.add(e.data.userId).add(e.data.followeeId);
  }
  return ids;
};

/**
 * Users, sleep logs and follows in MySQL. A whole batch is one transaction together with the
 * per-stream revision guards, so the effects and the checkpoint commit or roll back as one; at a
 * revision gap the items before it are committed and the gap is reported (never out of order).
 * After the commit, changed profiles are written to Memcached with `set`; readers fill the cache
 * with `add`, so a reader holding an older row can never overwrite the fresh one.
 */
export const tablesProjector = (pool: mysql.Pool, profiles?: ProfileCacheSettings): Projector => {
  // The same fold a rebuild uses: a batch in one transaction, a handful of multi-row statements.
  const batches = batchTablesProjector(pool);

  // One query for the batch's touched users, then the cache writes together: a batch of follows
  // touches two users per event, and a round trip each, in turn, was most of the batch's time.
  const refreshProfiles = async (items: readonly ProjectionItem[]) => {
    if (!profiles) return;
    const touched = [...profilesTouched(items)];
    if (touched.length === 0) return;
    try {
      const found = new Map<string, Profile>();
      for (let i = 0; i < touched.length; i += PROFILES_PER_QUERY) {
        for (const [id, profile] of await loadProfiles(pool, touched.slice(i, i + PROFILES_PER_QUERY))) found.set(id, profile);
      }
      await Promise.all(
        touched.map((userId) => {
          const key = profileKey(profiles.prefix, userId);
          const profile = found.get(userId);
          return (profile ? profiles.cache.set(key, JSON.stringify(profile), PROFILE_TTL_SECONDS) : profiles.cache.delete(key)).catch(profiles.onError);
        }),
      );
    } catch (error) {
      // The cache is an optimisation: a failure here costs freshness for at most the TTL.
      profiles.onError(error);
    }
  };

  return {
    name: NAME,
    apply: async (items) => {
      try {
        await batches.apply(items);
      } finally {
        // Also after a gap: the items before it were committed, and a refresh reads what is there.
        await refreshProfiles(items);
      }
    },
  };
};
