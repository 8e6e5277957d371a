import * as t from 'io-ts';

/** An instant as ISO 8601 in UTC with milliseconds, the one form events store. */
interface UtcInstantBrand { readonly UtcInstant: unique symbol }
export const UtcInstant = t.brand(
  t.string,
  (s): s is t.Branded<string, UtcInstantBrand> => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(s) && !Number.isNaN(Date.parse(s)),
  'UtcInstant',
);
export type UtcInstant = t.TypeOf<typeof UtcInstant>;
export const toUtcInstant = (ms: number): UtcInstant => new Date(ms).toISOString() as UtcInstant;

const calendarDate = /^(\d{4})-(\d{2})-(\d{2})$/;
// Gregorian: every event with a night in it checks one, so arithmetic rather than a Date round trip.
const daysIn = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/** A calendar date, YYYY-MM-DD, that exists (2026-02-30 does not). */
interface CalendarDateBrand { readonly CalendarDate: unique symbol }
export const CalendarDate = t.brand(
  t.string,
  (s): s is t.Branded<string, CalendarDateBrand> => {
    const m = calendarDate.exec(s);
    if (!m) return false;
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
  },
  'CalendarDate',
);
export type CalendarDate = t.TypeOf<typeof CalendarDate>;

// Building an Intl.DateTimeFormat is costly and every decoded event checks its zone: remember the
// answer per name. The set of names is small (the IANA database) and only valid ones are kept.
const knownZones = new Set<string>();
const isIanaZone = (s: string): boolean => {
  if (knownZones.has(s)) return true;
  if (s.length === 0 || s.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: s });
  } catch {
    return false;
  }
  knownZones.add(s);
  return true;
};

/** An IANA time zone name that this runtime knows (e.g. Europe/Berlin). */
interface TimeZoneBrand { readonly TimeZone: unique symbol }
export const TimeZone = t.brand(t.string, (s): s is t.Branded<string, TimeZoneBrand> => isIanaZone(s), 'TimeZone');
export type TimeZone = t.TypeOf<typeof TimeZone>;

/** 3–30 characters of a–z, 0–9 and underscore; stored lower-case so uniqueness ignores case. */
interface HandleBrand { readonly Handle: unique symbol }
export const Handle = t.brand(t.string, (s): s is t.Branded<string, HandleBrand> => /^[a-z0-9_]{3,30}$/.test(s), 'Handle');
export type Handle = t.TypeOf<typeof Handle>;

interface DisplayNameBrand { readonly DisplayName: unique symbol }
export const DisplayName = t.brand(
  t.string,
  (s): s is t.Branded<string, DisplayNameBrand> => s.trim().length >= 1 && [...s].length <= 60,
  'DisplayName',
);
export type DisplayName = t.TypeOf<typeof DisplayName>;

interface QualityBrand { readonly Quality: unique symbol }
export const Quality = t.brand(t.number, (n): n is t.Branded<number, QualityBrand> => Number.isInteger(n) && n >= 1 && n <= 5, 'Quality');
export type Quality = t.TypeOf<typeof Quality>;

interface NoteBrand { readonly Note: unique symbol }
export const Note = t.brand(t.string, (s): s is t.Branded<string, NoteBrand> => [...s].length <= 280, 'Note');
export type Note = t.TypeOf<typeof Note>;
