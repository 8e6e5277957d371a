import { metadataOf, type ProjectionItem } from '../runtime/projector.js';
import { globalBoardKey, PERIODS, windowEnd } from '../../shared/leaderboards/windows.js';

export type LeaderboardSettings = { readonly prefix: string; readonly retentionDays: number };

/** The arguments of one apply.lua call: a pure function of the item, so it is tested without Redis. */
export type ScriptCall = { readonly keys: [string, string]; readonly args: string[] };

export const guardKey = (prefix: string): string => `${prefix}lb:guard`;

/**
 * One hash per user holds the records of that user's logs (log id → record), rather than a key
 * per log: a rebuild's swap then renames a key per user, not one per night ever logged.
 */
export const recordsKey = (prefix: string, userId: string): string => `${prefix}lb:logs:${userId}`;
const RECORDS = 'lb:logs:';

/**
 * A log's record: `member|minutes|expireAt|board|board|board`, boards named without the prefix so
 * that a swap moves a record unchanged. expireAt is when its last board expires; after that the
 * record undoes nothing (its boards are gone) and is dead weight, pruned lazily.
 */
export type LogRecord = { readonly member: string; readonly minutes: number; readonly expireAt: number; readonly boards: readonly string[] };

export const parseRecord = (value: string): LogRecord => {
  const [member = '', minutes = '0', expireAt = '0', ...boards] = value.split('|');
  return { member, minutes: Number(minutes), expireAt: Number(expireAt), boards };
};

/**
 * A read model's canonical content for comparisons: a record whose boards have expired is left
 * out, because when it goes differs by design (a live hash sheds it at a later prune, a rebuild
 * never writes it) while it has no effect either way.
 */
export const liveRecords = (key: string, fields: readonly [string, string][], nowSeconds: number): [string, string][] | undefined =>
  key.startsWith(RECORDS) ? fields.filter(([, value]) => parseRecord(value).expireAt > nowSeconds) : undefined;

/** The boards of a wake date (without the prefix) and when each expires (unix seconds). */
export const boardsOf = (wakeDate: string, retentionDays: number): string[] =>
  PERIODS.flatMap((p) => [globalBoardKey('', p, wakeDate), String(Math.floor(windowEnd(p, wakeDate).getTime() / 1000) + retentionDays * 86_400)]);

export const scriptCall = (item: ProjectionItem, s: LeaderboardSettings): ScriptCall => {
  const meta = metadataOf(item);
  const head = [meta.streamId, String(meta.revision)];
  const guardOnly: ScriptCall = { keys: [guardKey(s.prefix), recordsKey(s.prefix, '-')], args: [...head, '', '', '', s.prefix] };
  if (item.kind === 'skip') return guardOnly;
  const event = item.event;
  switch (event.type) {
    case 'SleepLogged':
    case 'SleepLogCorrected': {
      const d = event.data;
      return {
        keys: [guardKey(s.prefix), recordsKey(s.prefix, d.userId)],
        args: [...head, d.logId, d.userId, String(d.durationMinutes), s.prefix, ...boardsOf(d.wakeDate, s.retentionDays)],
      };
    }
    case 'SleepLogRetracted':
      return { keys: [guardKey(s.prefix), recordsKey(s.prefix, event.data.userId)], args: [...head, event.data.logId, event.data.userId, '', s.prefix] };
    case 'UserRegistered':
    case 'ProfileUpdated':
    case 'Followed':
    case 'Unfollowed':
      return guardOnly;
  }
};
