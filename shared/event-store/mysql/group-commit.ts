import type mysql from 'mysql2/promise';
import * as E from 'fp-ts/lib/Either.js';
import type { AppendConflict, AppendResult, ExpectedRevision, NewEvent } from '../port.js';
import { isDuplicateKey } from '../../mysql/pool.js';
import { advanceStream, appendWithin, ConflictSignal, findDuplicate, insertEvents, reservePositions, toConflict, type Placed } from './append.js';

type Outcome = E.Either<AppendConflict, AppendResult>;
type Pending = {
  readonly stream: string;
  readonly events: readonly NewEvent[];
  readonly expected: ExpectedRevision;
  readonly resolve: (outcome: Outcome) => void;
  readonly reject: (error: unknown) => void;
};

const MAX_APPENDS = 64;
const MAX_EVENTS = 1_000;

/**
 * Group commit: appends that arrive while a transaction is being committed wait, then go in the
 * next one together, so one fsync serves many appends. Inside the transaction each append
 * advances its stream under a savepoint (a conflict undoes only that append), streams are locked
 * in sorted order and the head row last (the same lock order as a single append, so no
 * deadlocks with other processes), positions are reserved once and all events are written by one
 * INSERT. Positions still follow commit order: the head row lock is held until COMMIT.
 */
export const groupCommitter = (pool: mysql.Pool) => {
  const queue: Pending[] = [];
  let running = false;

  const takeBatch = (): Pending[] => {
    const batch: Pending[] = [];
    let events = 0;
    while (queue.length > 0 && batch.length < MAX_APPENDS && (batch.length === 0 || events + (queue[0]?.events.length ?? 0) <= MAX_EVENTS)) {
      const next = queue.shift()!;
      events += next.events.length;
      batch.push(next);
    }
    return batch;
  };

  /** A batch of one needs no savepoint and no look-up first: the fewest round trips per fsync. */
  const commitOne = async (p: Pending): Promise<Outcome> => {
    const conn = await pool.getConnection();
    try {
      try {
        await conn.beginTransaction();
        const result = await appendWithin(conn, p.stream, p.events, p.expected);
        await conn.commit();
        return E.right(result);
      } catch (error) {
        await conn.rollback().catch(() => undefined);
        const conflict = error instanceof ConflictSignal;
        if (!conflict && !isDuplicateKey(error)) throw error;
        const duplicate = await findDuplicate(conn, p.stream, p.events);
        if (duplicate) return E.right(duplicate);
        if (conflict) return toConflict(p.stream, p.expected, error.actual);
        throw new Error(`an event id of this append to ${p.stream} is already stored in another stream`);
      }
    } finally {
      conn.release();
    }
  };

  const commit = async (batch: readonly Pending[]): Promise<Map<Pending, Outcome | 'retry-alone'>> => {
    const outcomes = new Map<Pending, Outcome | 'retry-alone'>();
    const conn = await pool.getConnection();
    try {
      await conn.beginTransaction();
      const ids = batch.flatMap((p) => p.events.map((e) => e.metadata.eventId));
      const [stored] = await conn.query<mysql.RowDataPacket[]>(`SELECT event_id FROM events WHERE event_id IN (?)`, [ids]);
      const known = new Set(stored.map((r) => String(r.event_id)));
      const accepted: { p: Pending; lastRevision: number }[] = [];
      // Stable sort: appends to one stream keep their arrival order.
      const ordered = [...batch].sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
      for (const [i, p] of ordered.entries()) {
        if (p.events.some((e) => known.has(e.metadata.eventId))) {
          outcomes.set(p, 'retry-alone'); // a retried append: answered from what is stored, after COMMIT
          continue;
        }
        await conn.query(`SAVEPOINT a${i}`);
        try {
          accepted.push({ p, lastRevision: await advanceStream(conn, p.stream, p.events.length, p.expected) });
        } catch (error) {
          if (!(error instanceof ConflictSignal)) throw error;
          await conn.query(`ROLLBACK TO SAVEPOINT a${i}`);
          outcomes.set(p, toConflict(p.stream, p.expected, error.actual));
        }
      }
      if (accepted.length > 0) {
        const total = accepted.reduce((n, a) => n + a.p.events.length, 0);
        let next = (await reservePositions(conn, total)) - total + 1;
        const placed: Placed[] = accepted.map(({ p, lastRevision }) => {
          const place = { stream: p.stream, events: p.events, firstRevision: lastRevision - p.events.length + 1, firstPosition: next };
          next += p.events.length;
          return place;
        });
        await insertEvents(conn, placed);
        await conn.commit();
        placed.forEach((place, i) =>
          outcomes.set(accepted[i]!.p, E.right({ revision: accepted[i]!.lastRevision, position: place.firstPosition + place.events.length - 1, duplicate: false })),
        );
      } else {
        await conn.commit();
      }
      return outcomes;
    } catch (error) {
      await conn.rollback().catch(() => undefined);
      throw error;
    } finally {
      conn.release();
    }
  };


  const drain = async (): Promise<void> => {
    running = true;
    try {
      while (queue.length > 0) {
        const batch = takeBatch();
        if (batch.length === 1) {
          await commitOne(batch[0]!).then(batch[0]!.resolve, batch[0]!.reject);
          continue;
        }
        let outcomes: Map<Pending, Outcome | 'retry-alone'>;
        try {
          outcomes = await commit(batch);
        } catch {
          // One bad append (or a lost connection) must not fail the others: each goes alone.
          outcomes = new Map(batch.map((p) => [p, 'retry-alone' as const]));
        }
        for (const p of batch) {
          const outcome = outcomes.get(p);
          if (outcome === undefined || outcome === 'retry-alone') commitOne(p).then(p.resolve, p.reject);
          else p.resolve(outcome);
        }
      }
    } finally {
      running = false;
    }
  };

  return (stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<Outcome> =>
    new Promise<Outcome>((resolve, reject) => {
      queue.push({ stream, events, expected, resolve, reject });
      if (!running) void drain();
    });
};
