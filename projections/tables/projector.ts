import type mysql from 'mysql2/promise';
import type { Cache } from '../../shared/memcached/client.js';
import { loadProfile, PROFILE_TTL_SECONDS, profileKey } from '../../shared/profiles/profile.js';
import type { ProjectionItem, Projector } from '../runtime/projector.js';
import { bulkTablesProjector } from './bulk.js';

const NAME = 'tables';

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
  const batches = bulkTablesProjector(pool);

  const refreshProfiles = async (items: readonly ProjectionItem[]) => {
    if (!profiles) return;
    for (const userId of profilesTouched(items)) {
      const key = profileKey(profiles.prefix, userId);
      try {
        const profile = await loadProfile(pool, userId);
        if (profile) await profiles.cache.set(key, JSON.stringify(profile), PROFILE_TTL_SECONDS);
        else await profiles.cache.delete(key);
      } catch (error) {
        // The cache is an optimisation: a failure here costs freshness for at most the TTL.
        profiles.onError(error);
      }
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
