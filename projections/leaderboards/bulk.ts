import type { Redis, Result } from 'ioredis';
import type { ProjectionItem, Projector } from '../runtime/projector.js';
import { RevisionGap } from '../runtime/projector.js';
import { guardKey, scriptCall, type LeaderboardSettings, type ScriptCall } from './effects.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    sleepsocialLeaderboardBulk(...args: (string | string[])[]): Result<number, Context>;
  }
}

/**
 * A page's writes in one script, so Redis runs them as one atomic step (a MULTI of tens of
 * thousands of commands costs the client far more). ARGV: the guard key, then the counts of each
 * section, then the sections: (board, by, member) ZINCRBY, (board, at) EXPIREAT, board
 * ZREMRANGEBYSCORE -inf 0, (key, record, at) SET … EXAT, key DEL, (stream, revision) guard HSET.
 */
const WRITE_PAGE = `
local guard = ARGV[1]
local nIncr, nExpire, nTrim, nSet, nDel, nGuard = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local i = 8
for _ = 1, nIncr do redis.call('ZINCRBY', ARGV[i], ARGV[i + 1], ARGV[i + 2]); i = i + 3 end
for _ = 1, nExpire do redis.call('EXPIREAT', ARGV[i], ARGV[i + 1]); i = i + 2 end
for _ = 1, nTrim do redis.call('ZREMRANGEBYSCORE', ARGV[i], '-inf', 0); i = i + 1 end
for _ = 1, nSet do redis.call('SET', ARGV[i], ARGV[i + 1], 'EXAT', ARGV[i + 2]); i = i + 3 end
for _ = 1, nDel do redis.call('DEL', ARGV[i]); i = i + 1 end
for _ = 1, nGuard do redis.call('HSET', guard, ARGV[i], ARGV[i + 1]); i = i + 2 end
return i
`;

/** Keys per MGET / HMGET, to keep one reply small. */
const READ_CHUNK = 1_000;

const chunks = <A>(xs: readonly A[], size: number): A[][] => Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size));

/**
 * The leaderboards projector for a rebuild: a whole page of items at once instead of one apply.lua
 * call per item, with the same result key for key (scores, expiries, per-log records, guard hash),
 * so the live projector carries on from it after the swap.
 *
 * Per page: one HMGET of the guard for the page's streams and MGETs of the records of the logs it
 * touches; then the page is folded in memory exactly as apply.lua would go through it (revision
 * guard, undo of a log's previous record, new record), netting the score changes per board and
 * member; then one script (WRITE_PAGE) writes the net ZINCRBYs, the EXPIREATs of the boards
 * written to, the removal of members left at or below 0, the records (SET … EXAT or DEL) and the
 * guard. The script makes a page all-or-nothing, so an interrupted run resumes behind the guard as
 * the per-item path does. Memory: O(page), nothing is kept between pages.
 *
 * Netting is exact because a night's minutes are positive: within a page a member's score only
 * drops to 0 (and is removed by apply.lua) when it has no live contribution left, which is what
 * the net sum gives too.
 */
export const bulkLeaderboardProjector = (redis: Redis, s: LeaderboardSettings): Projector => {
  const guard = guardKey(s.prefix);
  redis.defineCommand('sleepsocialLeaderboardBulk', { numberOfKeys: 0, lua: WRITE_PAGE });
  // Board keys and expiries depend on the wake date only: computed once per date.
  const boardsByDate = new Map<string, string[]>();
  const callOf = (item: ProjectionItem): ScriptCall => {
    if (item.kind !== 'event' || (item.event.type !== 'SleepLogged' && item.event.type !== 'SleepLogCorrected')) return scriptCall(item, s);
    const d = item.event.data;
    let boards = boardsByDate.get(d.wakeDate);
    if (!boards) {
      boards = scriptCall(item, s).args.slice(5);
      boardsByDate.set(d.wakeDate, boards);
    }
    const m = item.event.metadata;
    return { keys: [guard, `${s.prefix}lb:log:${d.logId}`], args: [m.streamId, String(m.revision), d.logId, d.userId, String(d.durationMinutes), ...boards] };
  };

  return {
    name: 'leaderboards',
    apply: async (items) => {
      if (items.length === 0) return;
      const calls = items.map(callOf);
      const streams = [...new Set(calls.map((c) => c.args[0] ?? ''))];
      const logKeys = [...new Set(calls.filter((c) => c.args[2] !== '').map((c) => c.keys[1]))];
      const reads = redis.pipeline();
      for (const part of chunks(streams, READ_CHUNK)) reads.hmget(guard, ...part);
      for (const part of chunks(logKeys, READ_CHUNK)) reads.mget(...part);
      const replies = (await reads.exec()) ?? [];
      const values: (string | null)[] = [];
      for (const [error, reply] of replies) {
        if (error) throw error;
        values.push(...(reply as (string | null)[]));
      }
      const applied = new Map(streams.map((stream, i) => [stream, Number(values[i] ?? '-1')]));
      const records = new Map<string, { value: string | null; expireAt: number }>(logKeys.map((key, i) => [key, { value: values[streams.length + i] ?? null, expireAt: 0 }]));

      const deltas = new Map<string, Map<string, number>>();
      const add = (board: string, member: string, by: number) => {
        let members = deltas.get(board);
        if (!members) deltas.set(board, (members = new Map<string, number>()));
        members.set(member, (members.get(member) ?? 0) + by);
      };
      const expiries = new Map<string, string>();
      const undone = new Set<string>();
      const written = new Set<string>();
      const guards = new Set<string>();
      let gap: RevisionGap | undefined;

      for (const { keys, args } of calls) {
        const [stream = '', revision = '', logId = '', member = '', minutes = ''] = args;
        const last = applied.get(stream) ?? -1;
        const rev = Number(revision);
        if (rev <= last) continue;
        if (rev > last + 1) {
          // apply.lua applies every item before a gap and then the projector throws: the same here.
          gap = new RevisionGap(stream, last + 1, rev);
          break;
        }
        if (logId !== '') {
          const record = records.get(keys[1]);
          if (record?.value) {
            const [was = '', wasMinutes = '0', ...boards] = record.value.split('|');
            for (const board of boards) {
              add(board, was, -Number(wasMinutes));
              undone.add(board);
            }
          }
          if (minutes !== '') {
            let value = `${member}|${minutes}`;
            let expireAt = 0;
            for (let i = 5; i + 1 < args.length; i += 2) {
              const board = args[i] ?? '';
              const at = args[i + 1] ?? '0';
              add(board, member, Number(minutes));
              expiries.set(board, at);
              expireAt = Math.max(expireAt, Number(at));
              value += `|${board}`;
            }
            records.set(keys[1], { value, expireAt });
          } else {
            records.set(keys[1], { value: null, expireAt: 0 });
          }
          written.add(keys[1]);
        }
        applied.set(stream, rev);
        guards.add(stream);
      }

      if (guards.size > 0) {
        const incr: string[] = [];
        for (const [board, members] of deltas) for (const [member, by] of members) if (by !== 0) incr.push(board, String(by), member);
        const expire = [...expiries].flat();
        const set: string[] = [];
        const del: string[] = [];
        for (const key of written) {
          const record = records.get(key);
          if (record?.value) set.push(key, record.value, String(record.expireAt));
          else del.push(key);
        }
        const guarded = [...guards].flatMap((stream) => [stream, String(applied.get(stream))]);
        const counts = [incr.length / 3, expire.length / 2, undone.size, set.length / 3, del.length, guarded.length / 2].map(String);
        // Arrays, not spread arguments: a page has far more values than a call may take as arguments (ioredis flattens them).
        await redis.sleepsocialLeaderboardBulk(guard, counts, incr, expire, [...undone], set, del, guarded);
      }
      if (gap) throw gap;
    },
  };
};
