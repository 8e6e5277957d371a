import type mysql from 'mysql2/promise';
import { inTransaction } from '../../shared/mysql/pool.js';
import type { ProjectionItem, Projector } from '../runtime/projector.js';
import { metadataOf, RevisionGap } from '../runtime/projector.js';
import { applyEvent } from './statements.js';

const NAME = 'tables';

/**
 * The tables read model applied item by item (one to three statements each), in one transaction
 * per batch with the guards. The live projector uses the multi-row fold in window.ts instead; this
 * straightforward version is the reference the fold is tested against, and a rebuild's per-event path.
 */
export const perEventTablesProjector = (pool: mysql.Pool): Projector => ({
  name: NAME,
  apply: (items: readonly ProjectionItem[]) =>
    inTransaction(pool, async (conn) => {
      const streams = [...new Set(items.map((i) => metadataOf(i).streamId))];
      if (streams.length === 0) return;
      const [rows] = await conn.query<mysql.RowDataPacket[]>(
        `SELECT stream_id, revision FROM projection_guards WHERE projection = ? AND stream_id IN (?) FOR UPDATE`,
        [NAME, streams],
      );
      const applied = new Map(rows.map((r) => [String(r.stream_id), Number(r.revision)]));
      const touched = new Set<string>();
      for (const item of items) {
        const meta = metadataOf(item);
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
    }),
});
