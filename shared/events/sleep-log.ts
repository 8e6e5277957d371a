import * as t from 'io-ts';
import { LogId, UserId } from './ids.js';
import { CalendarDate, Note, Quality, TimeZone, UtcInstant } from './values.js';

/**
 * The facts of one night as the decider accepted them. `wakeDate` (the date the sleeper woke, in
 * their time zone at the time of logging) and `durationMinutes` are derived once, here, so every
 * read model files the log under the same window.
 */
export const SleepLogFacts = t.strict(
  {
    userId: UserId,
    logId: LogId,
    startedAt: UtcInstant,
    endedAt: UtcInstant,
    durationMinutes: t.number,
    timezone: TimeZone,
    wakeDate: CalendarDate,
    quality: t.union([Quality, t.null]),
    note: t.union([Note, t.null]),
  },
  'SleepLogFacts',
);
export type SleepLogFacts = t.TypeOf<typeof SleepLogFacts>;
