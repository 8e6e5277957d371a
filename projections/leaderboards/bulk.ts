import type { Redis } from 'ioredis';
import { chunks } from '../runtime/chunks.js';
import { metadataOf, RevisionGap, type BufferedProjector, type ProjectionItem } from '../runtime/projector.js';
import { boardsOf, guardKey, parseRecord, recordsKey, type LeaderboardSettings } from './effects.js';

/**
 * A chunk of a page's writes in one script, so Redis runs them as one atomic step. ARGV: the
 * guard key, then seven sections, each one string of values joined by NUL (which no key, id or
 * record holds: environment variables, the prefix's source, cannot carry one): (board, by,
 * member) ZINCRBY, (board, at) EXPIREAT, board ZREMRANGEBYSCORE -inf 0, (hash, log, record) HSET,
 * (hash, log) HDEL, (hash, at) EXPIREAT NX then GT (as apply.lua extends a records hash),
 * (stream, revision) guard HSET. Seven strings rather than thousands of arguments: the client's
 * cost is per argument, and the node process is what limits a rebuild, not Redis.
 */
const WRITE_PAGE = `
local function split(s)
  local out, from = {}, 1
  if s == '' then return out end
  while true do
    local at = string.find(s, '\0', from, true)
    if not at then
      out[#out + 1] = string.sub(s, from)
      return out
    end
    out[#out + 1] = string.sub(s, from, at - 1)
    from = at + 1
  end
end
local guard = ARGV[1]
local incr, expire, trim, set, del, keep, guarded = split(ARGV[2]), split(ARGV[3]), split(ARGV[4]), split(ARGV[5]), split(ARGV[6]), split(ARGV[7]), split(ARGV[8])
for i = 1, #incr, 3 do redis.call('ZINCRBY', incr[i], incr[i + 1], incr[i + 2]) end
for i = 1, #expire, 2 do redis.call('EXPIREAT', expire[i], expire[i + 1]) end
for i = 1, #trim do redis.call('ZREMRANGEBYSCORE', trim[i], '-inf', 0) end
for i = 1, #set, 3 do redis.call('HSET', set[i], set[i + 1], set[i + 2]) end
for i = 1, #del, 2 do redis.call('HDEL', del[i], del[i + 1]) end
for i = 1, #keep, 2 do
  redis.call('EXPIREAT', keep[i], keep[i + 1], 'NX')
  redis.call('EXPIREAT', keep[i], keep[i + 1], 'GT')
end
for i = 1, #guarded, 2 do redis.call('HSET', guard, guarded[i], guarded[i + 1]) end
return #incr / 3 + #set / 3 + #guarded / 2
`;

/** Joins a section's values for WRITE_PAGE. */
const section = (values: readonly string[]): string => values.join('\0');

/** Fields per HMGET of the guard, to keep one reply small. */
const READ_CHUNK = 1_000;

/** One script call's sections: whole streams' ZINCRBYs, record HSET/HDELs and expiries, and guard fields. */
type Chunk = { incr: string[]; set: string[]; del: string[]; keep: string[]; guarded: string[] };
const emptyChunk = (): Chunk => ({ incr: [], set: [], del: [], keep: [], guarded: [] });

/**
 * Values per script call, whole streams at a time. A script runs alone on the server: one per
 * 10,000-event page stalled every other client, the live API and projectors included, for 70-110
 * ms; chunks keep each stall to a few ms, and each is still all-or-nothing for its streams.
 */
const CHUNK_VALUES = 2_000;

export type BulkOptions = {
  readonly nowSeconds?: () => number;
  /**
   * The guard's applied revision per stream, remembered between pages by a rebuild, the only
   * writer of its shadow: a stream is read from the guard once, then known. `complete`: the
   * guard was empty when the memory began (a fresh rebuild), so a stream it does not know is at
   * -1 and nothing is read. O(streams), not O(events).
   */
  readonly guards?: GuardMemory;
  /** Values per script call (tests make it small to split a page). */
  readonly chunkValues?: number;
};

export type GuardMemory = { readonly complete: boolean; readonly known: Map<string, number> };
export const guardMemory = (complete: boolean): GuardMemory => ({ complete, known: new Map() });

/** A wake date's boards (prefixed keys, with when each expires), and what a record names of them. */
type Night = { readonly boards: readonly { readonly key: string; readonly until: string }[]; readonly expireAt: number; readonly names: string };

/** What the fold needs of an item; `night` for a night logged or corrected, `logId` '' for an item that only moves the guard. */
type Step = {
  readonly stream: string;
  readonly revision: number;
  readonly logId: string;
  readonly member: string;
  readonly minutes: number;
  readonly night: Night | undefined;
  readonly logged: boolean;
};

/**
 * What the folded pages will write for one stream. Every write an item makes is its own user's
 * (their member on the boards, their records hash, their stream's guard), so one entry per stream
 * holds it all: one lookup per item instead of a dozen in window-wide maps of every user, which
 * was a fifth of the node process's time in a rebuild.
 */
type StreamWindow = {
  /** The stream's revision as the window leaves it (-1: none). */
  applied: number;
  advanced: boolean;
  /** The user's member and records hash ('' until the window meets one of their logs). */
  member: string;
  hash: string;
  /** Net score change per board key. */
  readonly deltas: Map<string, number>;
  /** The user's logs met, by log id. */
  readonly logs: Map<string, Slot>;
};
type Window = {
  readonly streams: Map<string, StreamWindow>;
  /** The wake dates met: their boards' EXPIREATs are written once per window. */
  readonly nights: Set<Night>;
  /** Boards a score was taken from: members left at or below 0 are removed. */
  readonly undone: Set<string>;
};
const emptyWindow = (): Window => ({ streams: new Map(), nights: new Set(), undone: new Set() });

/** A log's record as the fold leaves it: its value (null: none) and whether the page wrote it. */
type Slot = { value: string | null; written: boolean; expireAt: number };

/**
 * The leaderboards projector for a rebuild: pages of items at once instead of one apply.lua call
 * per item, leaving the same boards, guard and live records, so the live projector carries on
 * from it after the swap.
 *
 * `fold` takes a page: one round trip reads what the window cannot answer (guards the memory
 * does not know; records of logs the page corrects or retracts, one HMGET per user hash), then
 * the page is folded in memory exactly as apply.lua would go through it (revision guard, undo of
 * a log's previous record, new record), netting the score changes per board and member across
 * the window. `flush` writes the window: the net ZINCRBYs, the boards' EXPIREATs, the removal of
 * members left at or below 0, the records and the guard, in scripts of whole streams (WRITE_PAGE),
 * each all-or-nothing for its streams, so an interrupted run resumes behind the guard as the
 * per-item path does. Memory: what the window met (users, logs, boards), plus the guard memory.
 *
 * Netting is exact because a night's minutes are positive: within a window a member's score only
 * drops to 0 (and is removed by apply.lua) when it has no live contribution left, which is what
 * the net sum gives too. A record whose boards have already expired is not written (apply.lua
 * writes it and prunes it later; comparisons ignore it: see liveRecords).
 */
export const bulkLeaderboardProjector = (
  redis: Redis,
  s: LeaderboardSettings,
  { nowSeconds = () => Date.now() / 1000, guards: remembered, chunkValues = CHUNK_VALUES }: BulkOptions = {},
): BufferedProjector => {
  const guard = guardKey(s.prefix);
  // The next window's reads must reach Redis after this window's scripts, on the one connection:
  // so a flush sends every script before it first yields, by hash, with the script loaded by the
  // first fold, and with no fallback (ioredis' own would send EVAL after a NOSCRIPT reply, behind
  // those reads). A script cache flushed mid-run makes the write fail: the rebuild stops, and
  // resumes correctly.
  let sha: string | undefined;
  const load = async () => {
    sha ??= String(await redis.script('LOAD', WRITE_PAGE));
  };
  // Boards and expiries depend on the wake date only: computed once per date.
  const nights = new Map<string, Night>();
  const nightOf = (wakeDate: string): Night => {
    let night = nights.get(wakeDate);
    if (!night) {
      const flat = boardsOf(wakeDate, s.retentionDays);
      const boards: { key: string; until: string }[] = [];
      let names = '';
      for (let i = 0; i + 1 < flat.length; i += 2) {
        boards.push({ key: `${s.prefix}${flat[i] ?? ''}`, until: flat[i + 1] ?? '0' });
        names += `|${flat[i] ?? ''}`;
      }
      nights.set(wakeDate, (night = { boards, expireAt: Math.max(0, ...boards.map((b) => Number(b.until))), names }));
    }
    return night;
  };
  const stepOf = (item: ProjectionItem): Step => {
    const m = metadataOf(item);
    if (item.kind === 'event') {
      const e = item.event;
      switch (e.type) {
        case 'SleepLogged':
        case 'SleepLogCorrected': {
          const d = e.data;
          return { stream: m.streamId, revision: m.revision, logId: d.logId, member: d.userId, minutes: d.durationMinutes, night: nightOf(d.wakeDate), logged: e.type === 'SleepLogged' };
        }
        case 'SleepLogRetracted':
          return { stream: m.streamId, revision: m.revision, logId: e.data.logId, member: e.data.userId, minutes: 0, night: undefined, logged: false };
        case 'UserRegistered':
        case 'ProfileUpdated':
        case 'Followed':
        case 'Unfollowed':
          break;
      }
    }
    return { stream: m.streamId, revision: m.revision, logId: '', member: '', minutes: 0, night: undefined, logged: false };
  };

  // What has been folded and not yet written.
  let w = emptyWindow();
  let gap: RevisionGap | undefined;

  const fold = async (items: readonly ProjectionItem[]) => {
    if (gap) throw gap;
    await load();
    const steps = items.map(stepOf);
    // Guards: as the window left them, else remembered, else read (a complete memory reads none).
    // Records: those to read are of the logs the window first meets in a correction or
    // retraction. A log first met in SleepLogged has no record yet: the decider never logs under
    // an id its stream has named (LOG_ID_TAKEN, even once retracted), and a replayed SleepLogged
    // is stopped by the guard before it is folded.
    const entries: StreamWindow[] = [];
    const unknownStreams: (readonly [string, StreamWindow])[] = [];
    const toRead = new Map<StreamWindow, string[]>();
    for (const { stream, logId, member, logged } of steps) {
      let entry = w.streams.get(stream);
      if (!entry) {
        const known = remembered?.known.get(stream);
        entry = { applied: known ?? -1, advanced: false, member: '', hash: '', deltas: new Map(), logs: new Map() };
        w.streams.set(stream, entry);
        if (known === undefined && !remembered?.complete) unknownStreams.push([stream, entry]);
      }
      entries.push(entry);
      if (logId === '') continue;
      if (entry.hash === '') {
        entry.member = member;
        entry.hash = recordsKey(s.prefix, member);
      }
      if (entry.logs.has(logId)) continue;
      entry.logs.set(logId, { value: null, written: false, expireAt: 0 });
      if (logged) continue;
      let wanted = toRead.get(entry);
      if (!wanted) toRead.set(entry, (wanted = []));
      wanted.push(logId);
    }
    if (unknownStreams.length > 0 || toRead.size > 0) {
      const reads = redis.pipeline();
      for (const part of chunks(unknownStreams, READ_CHUNK)) reads.hmget(guard, ...part.map(([stream]) => stream));
      for (const [entry, logIds] of toRead) reads.hmget(entry.hash, ...logIds);
      const values: (string | null)[] = [];
      for (const [error, reply] of (await reads.exec()) ?? []) {
        if (error) throw error;
        values.push(...(reply as (string | null)[]));
      }
      unknownStreams.forEach(([, entry], i) => {
        entry.applied = Number(values[i] ?? '-1');
      });
      let at = unknownStreams.length;
      for (const [entry, logIds] of toRead) {
        for (const logId of logIds) {
          const slot = entry.logs.get(logId);
          if (slot) slot.value = values[at] ?? null;
          at++;
        }
      }
    }

    const add = (entry: StreamWindow, board: string, by: number) => entry.deltas.set(board, (entry.deltas.get(board) ?? 0) + by);
    for (const [i, { stream, revision, logId, minutes, night, member }] of steps.entries()) {
      const entry = entries[i];
      if (!entry || revision <= entry.applied) continue;
      if (revision > entry.applied + 1) {
        // apply.lua applies every item before a gap and then the projector throws: the same here.
        gap = new RevisionGap(stream, entry.applied + 1, revision);
        break;
      }
      const slot = logId === '' ? undefined : entry.logs.get(logId);
      if (slot) {
        if (slot.value) {
          const was = parseRecord(slot.value);
          for (const board of was.boards) {
            add(entry, `${s.prefix}${board}`, -was.minutes);
            w.undone.add(`${s.prefix}${board}`);
          }
        }
        if (night) {
          for (const board of night.boards) add(entry, board.key, minutes);
          w.nights.add(night);
          slot.value = `${member}|${minutes}|${night.expireAt}${night.names}`;
          slot.expireAt = night.expireAt;
        } else {
          slot.value = null;
          slot.expireAt = 0;
        }
        slot.written = true;
      }
      entry.applied = revision;
      entry.advanced = true;
    }
  };

  // Chunks of whole streams go out together (one connection keeps their order) and fail alone: a
  // stream's writes and its guard are in one chunk, so a retry skips exactly the streams written.
  const write = (window: Window): Promise<unknown> => {
    const now = nowSeconds();
    const expiries = new Map<string, string>();
    for (const night of window.nights) for (const board of night.boards) expiries.set(board.key, board.until);
    const [expiring, trimmed] = [section([...expiries].flat()), section([...window.undone])];
    const sent: Promise<unknown>[] = [];
    let chunk = emptyChunk();
    let size = 0;
    const send = () => {
      // Always loaded by the fold that filled the window; the check is for the type.
      if (sha === undefined) throw new Error('the leaderboards write script was not loaded');
      const c = chunk;
      sent.push(redis.evalsha(sha, 0, guard, section(c.incr), expiring, trimmed, section(c.set), section(c.del), section(c.keep), section(c.guarded)));
      chunk = emptyChunk();
      size = 0;
    };
    for (const [stream, entry] of window.streams) {
      if (!entry.advanced) continue;
      for (const [board, by] of entry.deltas) {
        if (by === 0) continue;
        chunk.incr.push(board, String(by), entry.member);
        size += 3;
      }
      let longest = 0;
      for (const [logId, slot] of entry.logs) {
        if (!slot.written) continue;
        if (slot.value && slot.expireAt > now) {
          chunk.set.push(entry.hash, logId, slot.value);
          size += 3;
          longest = Math.max(longest, slot.expireAt);
        } else {
          chunk.del.push(entry.hash, logId);
          size += 2;
        }
      }
      if (longest > 0) {
        chunk.keep.push(entry.hash, String(longest));
        size += 2;
      }
      chunk.guarded.push(stream, String(entry.applied));
      size += 2;
      if (size >= chunkValues) send();
    }
    if (size > 0) send();
    return Promise.all(sent);
  };

  const flush = async () => {
    const window = w;
    w = emptyWindow();
    const written = write(window);
    // Known from now on, for the window folded while this one is written: its reads queue behind
    // these scripts on the one connection, and if a script fails the rebuild stops and a resumed
    // one starts from what Redis holds.
    if (remembered) for (const [stream, entry] of window.streams) remembered.known.set(stream, entry.applied);
    await written;
    if (gap) throw gap;
  };

  return {
    name: 'leaderboards',
    fold,
    flush,
    apply: async (items) => {
      await fold(items);
      await flush();
    },
  };
};
