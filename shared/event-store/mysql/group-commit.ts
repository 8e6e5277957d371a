import type mysql from 'mysql2/promise';
import * as E from 'fp-ts/lib/Either.js';
import type { AppendConflict, AppendResult, ExpectedRevision, NewEvent } from '../port.js';
import { isDuplicateKey } from '../../mysql/pool.js';
import { GENESIS } from '../audit/hash.js';
import { appendWithin, ConflictSignal, findDuplicate, lockStream, reservePositions, toConflict, writeEvents, type Placed, type StreamTip } from './append.js';

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

/** The expected revision checked against a stream this transaction already advanced (and locked). */
const heldTip = (revision: number, expected: ExpectedRevision): StreamTip => {
  if (expected === 'no_stream' || (expected !== 'any' && expected !== revision)) throw new ConflictSignal(revision);
  // The hash is resolved when the events are chained: writeEvents links to the earlier append's last one.
  return { revision, hash: GENESIS };
};

/**
 * Group commit: appends that arrive while a transaction is being committed wait, then go in the
 * next one together, so one fsync serves many appends. Inside the transaction each append locks
 * and checks its stream (a conflict writes nothing and fails only that append), streams are
 * locked in sorted order and the head row last (the same lock order as a single append, so no
 * deadlocks with other processes), positions are reserved once, all events are written by one
 * INSERT with their chained hashes and every stream head by one upsert. Positions still follow
 * commit order: the head row lock is held until COMMIT.
 */
export const groupCommitter = (pool: mysql.Pool, now: () => number = Date.now) => {
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

  /** A batch of one needs no look-up first: the fewest round trips per fsync. */
  const commitOne = async (p: Pending): Promise<Outcome> => {
    const conn = await pool.getConnection();
    try {
      try {
        await conn.beginTransaction();
        const result = await appendWithin(conn, p.stream, p.events, p.expected, now);
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
      const accepted: { p: Pending; tip: StreamTip }[] = [];
      // Streams this transaction already advanced: their rows are locked by it, and their new
      // revision lives here until writeEvents moves the rows at the end.
      const held = new Map<string, number>();
      // Stable sort: appends to one stream keep their arrival order.
      const ordered = [...batch].sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
      for (const p of ordered) {
        if (p.events.some((e) => known.has(e.metadata.eventId))) {
          outcomes.set(p, 'retry-alone'); // a retried append: answered from what is stored, after COMMIT
          continue;
        }
        try {
          // A refused append writes nothing (a duplicate-key error undoes only its statement), so
          // no savepoint is needed: the others in the batch go on.
          const revision = held.get(p.stream);
          const tip = revision === undefined ? await lockStream(conn, p.stream, p.expected) : heldTip(revision, p.expected);
          accepted.push({ p, tip });
          held.set(p.stream, tip.revision + p.events.length);
        } catch (error) {
          if (!(error instanceof ConflictSignal)) throw error;
          outcomes.set(p, toConflict(p.stream, p.expected, error.actual));
        }
      }
      if (accepted.length > 0) {
        const total = accepted.reduce((n, a) => n + a.p.events.length, 0);
        let next = (await reservePositions(conn, total)) - total + 1;
        const placed: Placed[] = accepted.map(({ p, tip }) => {
          const place = { stream: p.stream, events: p.events, firstRevision: tip.revision + 1, firstPosition: next, previousHash: tip.hash };
          next += p.events.length;
          return place;
        });
        await writeEvents(conn, placed, now());
        await conn.commit();
        placed.forEach((place, i) =>
          outcomes.set(accepted[i]!.p, E.right({ revision: place.firstRevision + place.events.length - 1, position: place.firstPosition + place.events.length - 1, duplicate: false })),
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
