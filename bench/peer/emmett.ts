import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Emmett's PostgreSQL event store, the peer of S2p. It cannot be a devDependency of the app:
 * every published Emmett (0.20 … 0.42) declares `uuid@^10` as a peer, the app depends on
 * `uuid@^11`, so `npm install -D` stops with ERESOLVE, and a lock file forced through with
 * --legacy-peer-deps makes `npm ci` (and so CI) fail. It is therefore installed on first use from
 * the pinned manifest and lock file beside this file into the local cache, away from the app's
 * node_modules, and loaded from there.
 */
export type EmmettEvent = { readonly type: string; readonly data: Record<string, unknown>; readonly metadata?: Record<string, unknown> };
export type EmmettStore = {
  appendToStream(streamName: string, events: EmmettEvent[]): Promise<unknown>;
  close(): Promise<void>;
  readonly schema: { migrate(): Promise<unknown> };
};
export type PgPool = {
  query(sql: string): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
};
export type Peer = {
  readonly version: string;
  readonly getPostgreSQLEventStore: (connectionString: string, options: { connectionOptions: { pool: PgPool } }) => EmmettStore;
  readonly Pool: new (options: { connectionString: string; max: number }) => PgPool;
};

const here = fileURLToPath(new URL('.', import.meta.url));
export const peerDir = (): string => join(process.env.SLEEPSOCIAL_CACHE_DIR ?? join(homedir(), '.cache', 'sleepsocial'), 'bench-peer');

const hasFunction = (m: unknown, name: string): boolean => typeof m === 'object' && m !== null && typeof (m as Record<string, unknown>)[name] === 'function';

/** Installs (once per lock file) and loads the peer; a string says why it could not. */
export const loadEmmett = (log: (message: string) => void): Peer | string => {
  const dir = peerDir();
  const lock = readFileSync(join(here, 'package-lock.json'), 'utf8');
  const installed = join(dir, 'node_modules', '.package-lock.json');
  const current = existsSync(join(dir, 'package-lock.json')) && readFileSync(join(dir, 'package-lock.json'), 'utf8') === lock && existsSync(installed);
  if (!current) {
    log(`installing @event-driven-io/emmett-postgresql into ${dir} (npm ci, pinned lock file)`);
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(here, 'package.json'), join(dir, 'package.json'));
    copyFileSync(join(here, 'package-lock.json'), join(dir, 'package-lock.json'));
    const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, encoding: 'utf8', timeout: 180_000 });
    if (npm.status !== 0) return `npm ci of the peer failed: ${(npm.stderr || npm.stdout || String(npm.error)).trim().split('\n').slice(-3).join(' ')}`;
  }
  try {
    const require = createRequire(join(dir, 'package.json'));
    const emmett: unknown = require('@event-driven-io/emmett-postgresql');
    const pg: unknown = require('pg');
    const meta: unknown = JSON.parse(readFileSync(join(dir, 'node_modules', '@event-driven-io', 'emmett-postgresql', 'package.json'), 'utf8'));
    if (!hasFunction(emmett, 'getPostgreSQLEventStore') || !hasFunction(pg, 'Pool')) return 'the installed peer does not export getPostgreSQLEventStore / pg.Pool';
    const version = typeof meta === 'object' && meta !== null ? String((meta as Record<string, unknown>).version) : '?';
    return { version, ...(emmett as Pick<Peer, 'getPostgreSQLEventStore'>), Pool: (pg as Pick<Peer, 'Pool'>).Pool };
  } catch (error) {
    return `loading the peer failed on Node ${process.version}: ${error instanceof Error ? error.message : String(error)}`;
  }
};
