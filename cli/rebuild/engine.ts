import { createHash } from 'node:crypto';
import type mysql from 'mysql2/promise';
import type { EventStore, StoredEvent } from '../../shared/event-store/port.js';
import { toProjectionItem } from '../../projections/runtime/decode.js';
import type { BufferedProjector, Projector } from '../../projections/runtime/projector.js';
import { progressBar } from './progress.js';
import { readAhead } from './read-ahead.js';
import type { Comparison, RebuildTarget } from './target.js';

/** Where an as-of rebuild stops: a global position, or the first event recorded after an instant. */
export type Until = { readonly position: number } | { readonly time: string };

export const untilSpec = (u: Until | undefined): string => (u === undefined ? '' : 'position' in u ? `position:${u.position}` : `time:${u.time}`);

export type RebuildDeps = {
  readonly pool: mysql.Pool;
  readonly store: EventStore;
  readonly database: string;
  readonly err: NodeJS.WritableStream;
  readonly interactive: boolean;
};

export type RebuildMode = 'rebuild' | 'verify';

export type RebuildOptions = {
  readonly mode: RebuildMode;
  readonly until?: Until;
  readonly pageSize?: number;
  /** Applies item by item through the live projector's code even when a bulk projector exists (tests compare the two). */
  readonly perItem?: boolean;
  /** Events a buffered projector folds before it writes them and the position is saved. */
  readonly flushEvents?: number;
  /** Called after each position saved, that is after each page, or each flush of a buffered projector (tests stop a run here). */
  readonly afterPage?: (position: number) => Promise<void> | void;
};

export type RebuildReport = {
  readonly projection: string;
  readonly shadow: string;
  readonly resumedFrom: number | null;
  /** Last global position the new version includes. */
  readonly position: number;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly swapped: boolean;
  /** Events applied to the live model after the swap (those that arrived during the rebuild). */
  readonly caughtUp: number;
  readonly comparison?: Comparison;
};

export class RebuildRefused extends Error {}

const RUNS_TABLE = `CREATE TABLE IF NOT EXISTS projection_rebuilds (
  run VARCHAR(80) NOT NULL PRIMARY KEY,
  until_spec VARCHAR(80) NOT NULL,
  position BIGINT NOT NULL,
  events BIGINT NOT NULL,
  started_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL
) ENGINE=InnoDB`;

/** A server-wide lock name per database and projection (MySQL allows 64 characters). */
export const lockName = (database: string, projection: string) =>
  `ss.rebuild.${projection}.${createHash('sha256').update(database).digest('hex').slice(0, 20)}`;

const PUBLISHED = ['user-'];

/**
 * Events read from the store per page; a buffered projector folds pages into its window. Reading
 * and decoding a page holds the event loop (~100 ms for 10,000 events), and the window written
 * meanwhile waits for it between two statements: 2,000-event pages keep those stalls short
 * (measured on 1M events: tables 27-29k -> 30k events/s, leaderboards unchanged).
 */
export const DEFAULT_PAGE_SIZE = 2_000;

/**
 * Events a buffered projector folds before writing. Where every 10,000 events touch every user (as
 * in a store of many users' nights), a 50,000-event window nets each user's weekly and monthly
 * scores and writes their guard and records expiry once instead of five times: measured on 1M
 * events and 10k users, Redis CPU per event falls from about 20 to 10 µs and the leaderboards
 * rebuild from 33k to 41-47k events/s; the tables write a guard row per stream per window instead
 * of one per event (18-23k to 27k events/s). It holds the fold's net result, not the events (the
 * users, logs and boards met), which is what makes it cheaper in memory than pages of its size.
 */
export const DEFAULT_FLUSH_EVENTS = 50_000;

/** Pages read at once, ahead of the one being folded (read-ahead.ts): two measured best of 1-4. */
const READS_AHEAD = 2;

const isBuffered = (p: Projector): p is BufferedProjector => 'fold' in p && 'flush' in p;

/**
 * Replays the event store (not Kafka: its retention is finite) into `target`, page by page: through
 * the target's bulk projector when it has one (a page folded in memory, then written in a few big
 * statements or one Redis transaction), else item by item through the live projector's code; the
 * next pages are read (two at once) while one is applied.
 * Holds a MySQL named lock per projection for the whole run, so a second rebuild (or verify) of
 * the same projection is refused while this one runs; the lock goes with the connection if the
 * process dies. Saves its position (in `projection_rebuilds`) after every page, or after every
 * write of a buffered projector, so an interrupted run resumes where it stopped: the projectors'
 * revision guards skip what was applied already.
 *
 * - `rebuild` without `until`: swaps the new version in, removes the old one, then applies to the
 *   live model what was appended meanwhile (the revision guards make that safe beside the running
 *   projector, which repairs any gap it sees from the store).
 * - `rebuild` with `until`: an as-of model, left in the shadow for inspection; nothing is swapped.
 * - `verify`: compares the new version with the live model, then drops it.
 */
const LOCK_WAIT_SECONDS = 5;

export const runRebuild = async (deps: RebuildDeps, target: RebuildTarget, options: RebuildOptions): Promise<RebuildReport> => {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const run = `${target.name}:${options.mode}`;
  const spec = untilSpec(options.until);
  const lockConn = await deps.pool.getConnection();
  try {
    // A few seconds' grace: a rebuild that was just killed holds its lock until the server notices
    // its connection is gone, and re-running it at once must resume, not be refused.
    const [locked] = await lockConn.query<mysql.RowDataPacket[]>(`SELECT GET_LOCK(?, ?) AS got`, [lockName(deps.database, target.name), LOCK_WAIT_SECONDS]);
    if (locked[0]?.got !== 1) throw new RebuildRefused(`another rebuild or verify of ${target.name} is running; try again when it has finished`);
    try {
      await deps.pool.query(RUNS_TABLE);
      const [rows] = await deps.pool.query<mysql.RowDataPacket[]>(`SELECT until_spec, position, events FROM projection_rebuilds WHERE run = ?`, [run]);
      const previous = rows[0];
      // A shadow that vanished (dropped by hand) cannot be resumed: start afresh then.
      const resume = previous !== undefined && String(previous.until_spec) === spec && (await target.prepare(false));
      let position = resume ? Number(previous.position) : 0;
      if (!resume) {
        await target.prepare(true);
        await deps.pool.query(
          `REPLACE INTO projection_rebuilds (run, until_spec, position, events, started_at, updated_at) VALUES (?, ?, 0, 0, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))`,
          [run, spec],
        );
      } else {
        deps.err.write(`${target.name}: resuming the interrupted ${options.mode} at position ${position}\n`);
      }

      const head = await deps.store.headPosition();
      const stopAt = options.until && 'position' in options.until ? Math.min(options.until.position, head) : head;
      const bar = progressBar(deps.err, deps.interactive, `${options.mode} ${target.name}`, position, stopAt);
      // Pages end at `stopAt`; an as-of time cuts them by when each event was recorded.
      const untilTime = options.until && 'time' in options.until ? options.until.time : undefined;
      const firstAfterTime = (page: readonly StoredEvent[]) => (untilTime === undefined ? -1 : page.findIndex((e) => e.metadata.recordedAt > untilTime));
      // A page at a time when the projection has a bulk projector (same result), else item by item.
      const shadowProjector = options.perItem ? target.shadowProjector() : (target.bulkProjector?.() ?? target.shadowProjector());
      const pages = readAhead(
        (after, limit) => deps.store.readAll({ afterPosition: after, limit, streamPrefixes: PUBLISHED }),
        (e) => e.metadata.position,
        { from: position, to: stopAt, pageSize, depth: READS_AHEAD },
      );
      // A buffered projector folds pages until about `flushEvents` are waiting, then writes them;
      // a position is saved only once what it covers is written.
      const buffered = isBuffered(shadowProjector) ? shadowProjector : undefined;
      const flushEvents = options.flushEvents ?? DEFAULT_FLUSH_EVENTS;
      let folded = { position, events: 0 };
      const saved = async (at: { position: number; events: number }) => {
        await deps.pool.query(`UPDATE projection_rebuilds SET position = ?, events = events + ?, updated_at = UTC_TIMESTAMP(3) WHERE run = ?`, [at.position, at.events, run]);
        position = at.position;
        await options.afterPage?.(at.position);
      };
      // A buffered projector's window is written while the next one is folded: one write in
      // flight at a time, its position saved when it has been written.
      let writing: Promise<void> | undefined;
      const save = async () => {
        const at = folded;
        folded = { position: at.position, events: 0 };
        if (!buffered) return saved(at);
        await writing;
        const flushed = buffered.flush();
        writing = flushed.then(() => saved(at));
        // Awaited at the next save (or the end); until then its failure must not count as unhandled.
        writing.catch(() => undefined);
      };
      try {
        for await (const page of pages) {
          const taken = firstAfterTime(page);
          const events = taken < 0 ? page : page.slice(0, taken);
          const last = events[events.length - 1];
          if (!last) break;
          const items = events.map((e) => toProjectionItem(e).item);
          await (buffered ? buffered.fold(items) : shadowProjector.apply(items));
          folded = { position: last.metadata.position, events: folded.events + events.length };
          bar.tick(folded.position, events.length);
          if (!buffered || folded.events >= flushEvents) await save();
          // An as-of time reached: nothing after it is taken.
          if (taken >= 0) break;
        }
        if (folded.events > 0) await save();
        await writing;
      } finally {
        // A write still under way ends before the lock is let go, and its failure is not unhandled.
        await writing?.catch(() => undefined);
      }
      const timing = bar.done(position);
      const report = {
        projection: target.name,
        shadow: target.shadow,
        resumedFrom: resume ? Number(previous.position) : null,
        position,
        events: timing.events,
        seconds: timing.seconds,
        eventsPerSecond: Math.round(timing.rate),
        swapped: false,
        caughtUp: 0,
      };

      if (options.mode === 'verify') {
        const comparison = await target.compare(20);
        await target.drop();
        await deps.pool.query(`DELETE FROM projection_rebuilds WHERE run = ?`, [run]);
        return { ...report, comparison };
      }
      if (target.complete) {
        const started = performance.now();
        await target.complete();
        deps.err.write(`${target.name}: new version readied (keys built) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
      }
      if (options.until) return report; // an as-of model stays in the shadow; a rerun with the same --until resumes (a no-op)
      // Forget the run first: a crash during the swap then leads to a fresh rebuild, never to a
      // "resume" into a shadow that was already swapped away.
      await deps.pool.query(`DELETE FROM projection_rebuilds WHERE run = ?`, [run]);
      await target.swap();
      const caughtUp = await catchUp(deps.store, target.liveProjector(), position, pageSize);
      return { ...report, swapped: true, caughtUp };
    } finally {
      await lockConn.query(`SELECT RELEASE_LOCK(?)`, [lockName(deps.database, target.name)]).catch(() => undefined);
      await target.close();
    }
  } finally {
    lockConn.release();
  }
};

/** Applies to the live model every published event after `from`, up to the store's head now. */
const catchUp = async (store: EventStore, projector: Projector, from: number, pageSize: number): Promise<number> => {
  let applied = 0;
  for (let position = from; ; ) {
    const page = await store.readAll({ afterPosition: position, limit: pageSize, streamPrefixes: PUBLISHED });
    const last = page[page.length - 1];
    if (!last) return applied;
    await projector.apply(page.map((e) => toProjectionItem(e).item));
    applied += page.length;
    position = last.metadata.position;
    if (page.length < pageSize) return applied;
  }
};
