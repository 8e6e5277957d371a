import type mysql from 'mysql2/promise';
import type { Cache } from '../../shared/memcached/client.js';
import { inTransaction } from '../../shared/mysql/pool.js';
import { loadProfile, PROFILE_TTL_SECONDS, profileKey } from '../../shared/profiles/profile.js';
import type { ProjectionItem, Projector } from '../runtime/projector.js';
import { RevisionGap } from '../runtime/projector.js';
import { applyEvent } from './statements.js';

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
 * per-stream revision guards, so the effects and the checkpoint commit or roll back as one.
 * After the commit, changed profiles are written to Memcached with `set`; readers fill the cache
 * with `add`, so a reader holding an older row can never overwrite the fresh one.
 */
export const tablesProjector = (pool: mysql.Pool, profiles?: ProfileCacheSettings): Projector => {
  const applyBatch = (items: readonly ProjectionItem[]) =>
    inTransaction(pool, async (conn) => {
      const streams = [...new Set(items.map((i) => (i.kind === 'event' ? i.event.metadata : i.metadata).streamId))];
      if (streams.length === 0) return;
      const [rows] = await conn.query<mysql.RowDataPacket[]>(
        `SELECT stream_id, revision FROM projection_guards WHERE projection = ? AND stream_id IN (?) FOR UPDATE`,
        [NAME, streams],
      );
      const applied = new Map(rows.map((r) => [String(r.stream_id), Number(r.revision)]));
      const touched = new Set<string>();
      for (const item of items) {
        const meta = item.kind === 'event' ? item.event.metadata : item.metadata;
        const last = applied.get(meta.streamId) ?? -1;
        if (meta.revision <= last) continue;
        if (meta.revision > last + 1) throw new RevisionGap(meta.streamId, last + 1, meta.revision);
        if (item.kind === 'event') await applyEvent(conn, item.event);
        applied.set(meta.streamId, meta.revision);
        touched.add(meta.streamId);
      }
      if (touched.size === 0) return;
      const values = [...touched].map((s) => [NAME, s, applied.get(s) ?? -1]);
      await conn.query(`INSERT INTO projection_guards (projection, stream_id, revision) VALUES ? ON DUPLICATE KEY UPDATE revision = VALUES(revision)`, [values]);
    });

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
      await applyBatch(items);
      await refreshProfiles(items);
    },
  };
};
