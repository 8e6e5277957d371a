import { windowOf } from '../../shared/leaderboards/windows.js';

export type StatsPeriod = 'week' | 'month' | 'all';

const DAY_MS = 86_400_000;
const dateOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The calendar date of an instant in an IANA time zone (en-CA formats as YYYY-MM-DD). */
export const dateIn = (instantMs: number, timezone: string): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instantMs);

export const addDays = (date: string, days: number): string => dateOf(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS);

/**
 * The wake dates a period covers around `today`: the ISO week (Monday to Sunday) or the calendar
 * month that contains it — the same windows as the leaderboards, so a week's total here is the
 * user's score on that week's board. `all` has no bounds.
 */
export const periodRange = (period: StatsPeriod, today: string): { readonly name: string; readonly from: string; readonly to: string } | null => {
  switch (period) {
    case 'all':
      return null;
    case 'week': {
      const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday = 0
      const from = addDays(today, -weekday);
      return { name: windowOf('week', today), from, to: addDays(from, 6) };
    }
    case 'month': {
      const d = new Date(`${today}T00:00:00Z`);
      return { name: windowOf('month', today), from: `${today.slice(0, 7)}-01`, to: dateOf(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)) };
    }
  }
};
