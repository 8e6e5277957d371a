import type mysql from 'mysql2/promise';
import { inTransaction } from '../../shared/mysql/pool.js';
import type { BufferedProjector, ProjectionItem, Projector, RevisionGap } from '../runtime/projector.js';
import type { TablesMemory } from './memory.js';
import { tablesReader, tablesWindow, upsertLogs } from './window.js';
import { chunks } from '../runtime/chunks.js';
import { isLocalLoadRefused, loadLogs } from './load.js';

const NAME = 'tables';

/**
 * Connections a rebuild's flush writes its sleep logs over at once, each its own transaction on
 * its own part of the key range. One connection leaves the server's other core idle: measured
 * on 930k rows on two cores, multi-row upserts: 50k rows/s on one connection, 77k on two.
 */
export const LOG_WRITERS = 2;

/**
 * The tables projector for a batch: the batch's guards (locked), the users it updates and the
 * follow pairs it touches are read; the batch is folded in memory in order (window.ts); its net
 * rows are written in a handful of multi-row statements, all in one transaction with the guards.
 * At a gap the items before it are committed, then the gap is thrown.
 */
export const batchTablesProjector = (pool: mysql.Pool): Projector => ({
  name: NAME,
  apply: async (items) => {
    const window = tablesWindow();
    await inTransaction(pool, async (conn) => {
      await window.fold(items, tablesReader(conn, true));
      if (window.moved) await window.write(conn);
    });
    if (window.gap) throw window.gap;
  },
});

/**
 * The tables projector for a rebuild, the only writer of its shadow tables (it holds the rebuild
 * lock): pages are folded into one window, read without locks, and a flush writes the window, so
 * each stream's guard is written once per window instead of once per page (where every page
 * touches every user, that was a guard row per event). `memory` (memory.ts)
 * spares the reads: a fresh rebuild reads nothing.
 *
 * A flush writes the window's sleep logs first, over `LOG_WRITERS` connections, then the rest with
 * the guards in one transaction: should that one fail, the logs committed before it are written
 * again, to the same values, by the resumed run (the guards still say they were not applied, and
 * writing a whole row, loaded or upserted, is idempotent); the counts, which are not, go with the
 * guards.
 *
 * A fold may run while the last flush is written: the memory learns a window when its flush
 * begins, so the next fold asks the tables only about keys no window has met, which that write
 * does not change. If the write fails the rebuild stops, and a resumed one starts with an empty
 * memory from what the tables hold.
 */
export const bulkTablesProjector = (pool: mysql.Pool, memory?: TablesMemory): BufferedProjector => {
  const reader = tablesReader(pool, false);
  // Loaded as a file where the server allows it, else upserted (same rows either way).
  let loadRefused = false;
  const writeLogs = async (conn: mysql.PoolConnection, rows: readonly unknown[][]) => {
    if (!loadRefused) {
      try {
        return await loadLogs(conn, rows);
      } catch (error) {
        if (!isLocalLoadRefused(error)) throw error;
        loadRefused = true;
      }
    }
    await upsertLogs(conn, rows);
  };
  let window = tablesWindow(memory);
  // A gap stops the projector: the items before it are written by the next flush, none after it.
  let gap: RevisionGap | undefined;
  const fold = async (items: readonly ProjectionItem[]) => {
    gap ??= window.gap;
    if (gap) throw gap;
    await window.fold(items, reader);
  };
  const flush = async () => {
    const full = window;
    window = tablesWindow(memory);
    gap ??= full.gap;
    if (memory) full.teach(memory);
    if (full.moved) {
      const rows = full.logRows();
      await Promise.all(chunks(rows, Math.max(1, Math.ceil(rows.length / LOG_WRITERS))).map((part) => inTransaction(pool, (conn) => writeLogs(conn, part))));
      await inTransaction(pool, (conn) => full.write(conn, { logRows: false }));
    }
    if (gap) throw gap;
  };
  return {
    name: NAME,
    fold,
    flush,
    apply: async (items) => {
      await fold(items);
      await flush();
    },
  };
};
