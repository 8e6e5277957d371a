import mysql from 'mysql2';
import type { MysqlSettings } from '../../shared/mysql/pool.js';

/** Streams a query's rows on a connection of its own: one full scan, constant memory. */
export async function* streamRows(settings: MysqlSettings, sql: string, params: unknown[] = []): AsyncGenerator<Record<string, unknown>> {
  const conn = mysql.createConnection({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
  });
  try {
    for await (const row of conn.query(sql, params).stream()) yield row as Record<string, unknown>;
  } finally {
    conn.destroy();
  }
}

type Keyed = { readonly key: readonly unknown[]; readonly row: Record<string, unknown> };

const compareKeys = (a: readonly unknown[], b: readonly unknown[]): number => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
};

/**
 * Merges two row streams ordered by the same key and calls `differ` for each key whose rows are
 * not equal (or present on one side only). Keys are ASCII ids here, so the server's binary order
 * and JavaScript's agree.
 */
export const mergeCompare = async (
  left: AsyncIterator<Keyed>,
  right: AsyncIterator<Keyed>,
  differ: (key: readonly unknown[], live: Record<string, unknown> | null, rebuilt: Record<string, unknown> | null) => void,
): Promise<void> => {
  let l = await left.next();
  let r = await right.next();
  while (!l.done || !r.done) {
    const order = l.done ? 1 : r.done ? -1 : compareKeys(l.value.key, r.value.key);
    if (order === 0 && !l.done && !r.done) {
      if (JSON.stringify(l.value.row) !== JSON.stringify(r.value.row)) differ(l.value.key, l.value.row, r.value.row);
      [l, r] = await Promise.all([left.next(), right.next()]);
    } else if (order < 0 && !l.done) {
      differ(l.value.key, l.value.row, null);
      l = await left.next();
    } else if (!r.done) {
      differ(r.value.key, null, r.value.row);
      r = await right.next();
    }
  }
};
