import { createHash } from 'node:crypto';
import mysql from 'mysql2/promise';
import { createPool, type MysqlSettings } from '../../shared/mysql/pool.js';
import { DEFERRED_KEYS, keyClause, tableMigrations } from '../../projections/tables/schema.js';
import { perEventTablesProjector } from '../../projections/tables/per-event.js';
import { tablesProjector } from '../../projections/tables/projector.js';
import { bulkTablesProjector, LOG_WRITERS } from '../../projections/tables/bulk.js';
import { tablesMemory } from '../../projections/tables/memory.js';
import { mergeCompare, streamRows } from './rows.js';
import type { Comparison, Difference, Digest, RebuildTarget } from './target.js';

/** The read-model tables, named once: by the migration that creates them. */
export const READ_MODEL_TABLES: readonly string[] = tableMigrations.flatMap((m) =>
  m.statements.flatMap((sql) => {
    const name = /CREATE TABLE IF NOT EXISTS (\w+)/.exec(sql)?.[1];
    return name ? [name] : [];
  }),
);

/** `<db>__<tag>`, kept within MySQL's 64 characters. */
export const shadowDatabase = (database: string, tag: string): string => {
  const name = `${database}__${tag}`;
  if (name.length <= 64) return name;
  const hash = createHash('sha256').update(database).digest('hex').slice(0, 8);
  return `${database.slice(0, 64 - tag.length - 2 - 9)}_${hash}__${tag}`;
};

const id = mysql.escapeId;

/**
 * The tables projection rebuilt in a shadow database beside the live one (same table names, made by
 * the same migration, less the keys a rebuild adds at the end), so the projector runs unchanged.
 * The swap is one RENAME TABLE statement for every table: live ones to `<table>__old`, shadow ones
 * into the live database, which the server does atomically; then the old tables and the shadow
 * database are dropped.
 */
export const tablesTarget = (live: mysql.Pool, settings: MysqlSettings, tag: string): RebuildTarget => {
  const shadowName = shadowDatabase(settings.database, tag);
  // The bulk projector's log writers, and one more for the rest of a flush or a fold's reads.
  const shadowSettings: MysqlSettings = { ...settings, database: shadowName, poolSize: LOG_WRITERS + 1 };
  let shadowPool: mysql.Pool | undefined;
  // Whether prepare made the shadow afresh: its bulk projector then starts knowing it is empty.
  let fresh = false;
  const shadow = () => (shadowPool ??= createPool(shadowSettings));

  const primaryKey = async (table: string): Promise<string[]> => {
    const [rows] = await live.query<mysql.RowDataPacket[]>(`SHOW KEYS FROM ${id(table)} WHERE Key_name = 'PRIMARY'`);
    return rows.sort((a, b) => Number(a.Seq_in_index) - Number(b.Seq_in_index)).map((r) => String(r.Column_name));
  };

  const keyed = async function* (s: MysqlSettings, table: string, key: readonly string[]) {
    for await (const row of streamRows(s, `SELECT * FROM ${id(table)} ORDER BY ${key.map((k) => id(k)).join(', ')}`)) {
      yield { key: key.map((k) => row[k]), row };
    }
  };

  return {
    name: 'tables',
    shadow: `database ${shadowName}`,
    prepare: async (afresh) => {
      fresh = afresh;
      if (!afresh) {
        const [found] = await live.query<mysql.RowDataPacket[]>(`SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?`, [shadowName]);
        return found.length > 0;
      }
      await live.query(`DROP DATABASE IF EXISTS ${id(shadowName)}`);
      await live.query(`CREATE DATABASE ${id(shadowName)} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
      for (const m of tableMigrations) for (const sql of m.statements) await shadow().query(sql);
      for (const key of DEFERRED_KEYS) await shadow().query(`ALTER TABLE ${id(key.table)} DROP KEY ${id(key.name)}`);
      return true;
    },
    // Also after a resumed run, whose shadow may have lost its keys in an earlier process.
    complete: async () => {
      for (const key of DEFERRED_KEYS) {
        const [found] = await live.query<mysql.RowDataPacket[]>(
          `SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = ? LIMIT 1`,
          [shadowName, key.table, key.name],
        );
        if (found.length === 0) await shadow().query(`ALTER TABLE ${id(key.table)} ADD ${keyClause(key)}`);
      }
    },
    shadowProjector: () => perEventTablesProjector(shadow()),
    bulkProjector: () => bulkTablesProjector(shadow(), tablesMemory(fresh)),
    // No profile cache here: the services' own projector refreshes it, and entries expire.
    liveProjector: () => tablesProjector(live),
    swap: async () => {
      const old = (t: string) => `${id(settings.database)}.${id(`${t}__old`)}`;
      await live.query(`DROP TABLE IF EXISTS ${READ_MODEL_TABLES.map(old).join(', ')}`);
      await live.query(
        `RENAME TABLE ${READ_MODEL_TABLES.map((t) => `${id(settings.database)}.${id(t)} TO ${old(t)}, ${id(shadowName)}.${id(t)} TO ${id(settings.database)}.${id(t)}`).join(', ')}`,
      );
      await live.query(`DROP TABLE ${READ_MODEL_TABLES.map(old).join(', ')}`);
      await live.query(`DROP DATABASE IF EXISTS ${id(shadowName)}`);
    },
    drop: async () => {
      await live.query(`DROP DATABASE IF EXISTS ${id(shadowName)}`);
    },
    compare: async (max) => {
      const differences: Difference[] = [];
      let differing = 0;
      const digests: { live: Digest[]; rebuilt: Digest[] } = { live: [], rebuilt: [] };
      for (const table of READ_MODEL_TABLES) {
        const key = await primaryKey(table);
        const sums = { live: createHash('sha256'), rebuilt: createHash('sha256') };
        const counts = { live: 0, rebuilt: 0 };
        const digesting = (side: 'live' | 'rebuilt', rows: AsyncIterable<{ key: unknown[]; row: Record<string, unknown> }>) =>
          (async function* () {
            for await (const r of rows) {
              sums[side].update(`${JSON.stringify(r.row)}\n`);
              counts[side]++;
              yield r;
            }
          })();
        await mergeCompare(digesting('live', keyed(settings, table, key)), digesting('rebuilt', keyed(shadowSettings, table, key)), (k, l, r) => {
          differing++;
          if (differences.length < max) differences.push({ where: table, key: k.map(String).join('/'), live: l, rebuilt: r });
        });
        digests.live.push({ name: table, count: counts.live, checksum: sums.live.digest('hex') });
        digests.rebuilt.push({ name: table, count: counts.rebuilt, checksum: sums.rebuilt.digest('hex') });
      }
      return { ...digests, differences, differing } satisfies Comparison;
    },
    close: async () => {
      await shadowPool?.end();
      shadowPool = undefined;
    },
  };
};
