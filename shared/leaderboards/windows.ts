/**
 * Leaderboard windows. A night belongs to the date the sleeper woke up, in their time zone; from
 * that date follow its day, ISO week and month. Both the projector (writing) and the query side
 * (reading) name keys with these functions, so the two can never disagree.
 */
export type Period = 'day' | 'week' | 'month';
export const PERIODS: readonly Period[] = ['day', 'week', 'month'];

/** ISO 8601 week, e.g. 2026-W47; the week-year can differ from the calendar year near New Year. */
export const isoWeek = (date: string): string => {
  const d = new Date(`${date}T00:00:00Z`);
  const weekday = (d.getUTCDay() + 6) % 7; // Monday = 0
  d.setUTCDate(d.getUTCDate() - weekday + 3); // the Thursday of this week decides the year
  const year = d.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(year, 0, 4));
  firstThursday.setUTCDate(firstThursday.getUTCDate() - ((firstThursday.getUTCDay() + 6) % 7) + 3);
  const week = 1 + Math.round((d.getTime() - firstThursday.getTime()) / (7 * 86_400_000));
  return `${year}-W${String(week).padStart(2, '0')}`;
};

export const windowOf = (period: Period, date: string): string => {
  switch (period) {
    case 'day':
      return date;
    case 'week':
      return isoWeek(date);
    case 'month':
      return date.slice(0, 7);
  }
};

/** Last day of the window, to expire its key a retention period after it closed. */
export const windowEnd = (period: Period, date: string): Date => {
  const d = new Date(`${date}T00:00:00Z`);
  switch (period) {
    case 'day':
      return new Date(d.getTime() + 86_400_000);
    case 'week':
      return new Date(d.getTime() + (7 - ((d.getUTCDay() + 6) % 7)) * 86_400_000);
    case 'month':
      return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
  }
};

export const globalBoardKey = (prefix: string, period: Period, date: string): string => `${prefix}lb:global:${period}:${windowOf(period, date)}`;
