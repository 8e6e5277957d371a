import * as E from 'fp-ts/lib/Either.js';
import type { CalendarDate, LogId, Note, Quality, SleepLogFacts, TimeZone, UserId, UtcInstant } from '../../shared/events/index.js';
import { CLOCK_TOLERANCE_MS, MAX_SLEEP_MS } from './context.js';
import type { DomainError } from './errors.js';
import type { LogSummary } from './state.js';

// One formatter per zone, made once: constructing Intl.DateTimeFormat dominates a decision otherwise.
const formatters = new Map<TimeZone, Intl.DateTimeFormat>();

/** The calendar date of an instant in a time zone (en-CA formats as YYYY-MM-DD). */
export const dateIn = (instantMs: number, timezone: TimeZone): CalendarDate => {
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timezone, format);
  }
  return format.format(instantMs) as CalendarDate;
};

type Interval = { readonly startedAt: UtcInstant; readonly endedAt: UtcInstant };

export const checkInterval = ({ startedAt, endedAt }: Interval, now: number): E.Either<DomainError, void> => {
  const start = Date.parse(startedAt);
  const end = Date.parse(endedAt);
  if (end <= start) return E.left('SLEEP_ENDS_BEFORE_START');
  if (end - start > MAX_SLEEP_MS) return E.left('SLEEP_TOO_LONG');
  if (end > now + CLOCK_TOLERANCE_MS) return E.left('SLEEP_IN_FUTURE');
  return E.right(undefined);
};

/** Intervals are half-open: waking at 07:00 and going back to sleep at 07:00 is no overlap. */
export const checkNoOverlap = (logs: ReadonlyMap<LogId, LogSummary>, { startedAt, endedAt }: Interval, except?: LogId): E.Either<DomainError, void> => {
  const start = Date.parse(startedAt);
  const end = Date.parse(endedAt);
  for (const [id, log] of logs) {
    if (id !== except && !log.retracted && log.startedAt < end && start < log.endedAt) return E.left('SLEEP_OVERLAPS');
  }
  return E.right(undefined);
};

export const sleepFacts = (
  userId: UserId,
  d: { logId: LogId; startedAt: UtcInstant; endedAt: UtcInstant; quality: Quality | null; note: Note | null },
  timezone: TimeZone,
): SleepLogFacts => ({
  userId,
  logId: d.logId,
  startedAt: d.startedAt,
  endedAt: d.endedAt,
  durationMinutes: Math.round((Date.parse(d.endedAt) - Date.parse(d.startedAt)) / 60_000),
  timezone,
  wakeDate: dateIn(Date.parse(d.endedAt), timezone),
  quality: d.quality,
  note: d.note,
});
