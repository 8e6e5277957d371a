import type { CalendarDate, DisplayName, Handle, LogId, TimeZone, UserEvent, UserId } from '../../shared/events/index.js';

/** What decisions need to know of one log: its interval (for overlap) and whether it still counts. */
export type LogSummary = {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly wakeDate: CalendarDate;
  readonly timezone: TimeZone;
  readonly retracted: boolean;
  /** The facts as last recorded, to recognise a repeated command that would change nothing. */
  readonly fingerprint: string;
};

export type UserState =
  | { readonly status: 'unregistered' }
  | {
      readonly status: 'registered';
      readonly userId: UserId;
      readonly handle: Handle;
      readonly displayName: DisplayName;
      readonly timezone: TimeZone;
      /** The profile as registered: a retried registration is recognised by these, not the current profile. */
      readonly registeredAs: { readonly displayName: DisplayName; readonly timezone: TimeZone };
      readonly logs: ReadonlyMap<LogId, LogSummary>;
      readonly following: ReadonlySet<UserId>;
    };

export const initialState: UserState = { status: 'unregistered' };

export const sleepFingerprint = (f: { startedAt: string; endedAt: string; quality: number | null; note: string | null }): string =>
  JSON.stringify([f.startedAt, f.endedAt, f.quality, f.note]);

const withLog = (logs: ReadonlyMap<LogId, LogSummary>, id: LogId, log: LogSummary): ReadonlyMap<LogId, LogSummary> =>
  new Map(logs).set(id, log);

export const evolve = (state: UserState, event: UserEvent): UserState => {
  if (event.type === 'UserRegistered') {
    const { userId, handle, displayName, timezone } = event.data;
    return { status: 'registered', userId, handle, displayName, timezone, registeredAs: { displayName, timezone }, logs: new Map(), following: new Set() };
  }
  if (state.status !== 'registered') return state; // a stream always starts with UserRegistered
  switch (event.type) {
    case 'ProfileUpdated':
      return { ...state, displayName: event.data.displayName, timezone: event.data.timezone };
    case 'SleepLogged':
    case 'SleepLogCorrected': {
      const d = event.data;
      const summary: LogSummary = {
        startedAt: Date.parse(d.startedAt),
        endedAt: Date.parse(d.endedAt),
        wakeDate: d.wakeDate,
        timezone: d.timezone,
        retracted: false,
        fingerprint: sleepFingerprint(d),
      };
      return { ...state, logs: withLog(state.logs, d.logId, summary) };
    }
    case 'SleepLogRetracted': {
      const log = state.logs.get(event.data.logId);
      return log ? { ...state, logs: withLog(state.logs, event.data.logId, { ...log, retracted: true }) } : state;
    }
    case 'Followed':
      return { ...state, following: new Set(state.following).add(event.data.followeeId) };
    case 'Unfollowed': {
      const following = new Set(state.following);
      following.delete(event.data.followeeId);
      return { ...state, following };
    }
  }
};
