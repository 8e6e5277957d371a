import type { ProjectionItem } from '../runtime/projector.js';
import { globalBoardKey, PERIODS, windowEnd } from '../../shared/leaderboards/windows.js';

export type LeaderboardSettings = { readonly prefix: string; readonly retentionDays: number };

/** The arguments of one apply.lua call: a pure function of the item, so it is tested without Redis. */
export type ScriptCall = { readonly keys: [string, string]; readonly args: string[] };

export const guardKey = (prefix: string): string => `${prefix}lb:guard`;
const logKey = (prefix: string, logId: string): string => `${prefix}lb:log:${logId}`;

export const scriptCall = (item: ProjectionItem, s: LeaderboardSettings): ScriptCall => {
  const meta = item.kind === 'event' ? item.event.metadata : item.metadata;
  const head = [meta.streamId, String(meta.revision)];
  const guardOnly: ScriptCall = { keys: [guardKey(s.prefix), `${s.prefix}lb:log:-`], args: [...head, '', '', ''] };
  if (item.kind === 'skip') return guardOnly;
  const event = item.event;
  switch (event.type) {
    case 'SleepLogged':
    case 'SleepLogCorrected': {
      const d = event.data;
      const boards = PERIODS.flatMap((p) => [
        globalBoardKey(s.prefix, p, d.wakeDate),
        String(Math.floor(windowEnd(p, d.wakeDate).getTime() / 1000) + s.retentionDays * 86_400),
      ]);
      return { keys: [guardKey(s.prefix), logKey(s.prefix, d.logId)], args: [...head, d.logId, d.userId, String(d.durationMinutes), ...boards] };
    }
    case 'SleepLogRetracted':
      return { keys: [guardKey(s.prefix), logKey(s.prefix, event.data.logId)], args: [...head, event.data.logId, event.data.userId, ''] };
    case 'UserRegistered':
    case 'ProfileUpdated':
    case 'Followed':
    case 'Unfollowed':
      return guardOnly;
  }
};
