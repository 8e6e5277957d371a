import * as t from 'io-ts';

// Every stored event carries several instants and dates, each checked on every read (millions in a
// rebuild): so they are read digit by digit, allocating nothing, rather than by a RegExp match and
// a Date round trip.
const digitsAt = (s: string, from: number, count: number): number => {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
};

/**
 * YYYY-MM-DDTHH:MM:SS.mmmZ as Date.parse reads it, which was this check before: a day up to 31 in
 * any month (rolled over), and 24:00:00.000 as the end of a day. Loose, but what the store may
 * already hold must still read back.
 */
const isUtcInstant = (s: string): boolean => {
  if (s.length !== 24 || s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':' || s[19] !== '.' || s[23] !== 'Z') return false;
  const month = digitsAt(s, 5, 2);
  const day = digitsAt(s, 8, 2);
  const hour = digitsAt(s, 11, 2);
  const minute = digitsAt(s, 14, 2);
  const second = digitsAt(s, 17, 2);
  const ms = digitsAt(s, 20, 3);
  if (digitsAt(s, 0, 4) < 0 || month < 1 || month > 12 || day < 1 || day > 31 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) return false;
  return hour >= 0 && (hour < 24 || (hour === 24 && minute === 0 && second === 0 && ms === 0));
};

/** An instant as ISO 8601 in UTC with milliseconds, the one form events store. */
interface UtcInstantBrand { readonly UtcInstant: unique symbol }
export const UtcInstant = t.brand(t.string, (s): s is t.Branded<string, UtcInstantBrand> => isUtcInstant(s), 'UtcInstant');
export type UtcInstant = t.TypeOf<typeof UtcInstant>;
export const toUtcInstant = (ms: number): UtcInstant => new Date(ms).toISOString() as UtcInstant;

// Gregorian: every event with a night in it checks one, so arithmetic rather than a Date round trip.
const daysIn = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;

/** A calendar date, YYYY-MM-DD, that exists (2026-02-30 does not). */
interface CalendarDateBrand { readonly CalendarDate: unique symbol }
export const CalendarDate = t.brand(
  t.string,
  (s): s is t.Branded<string, CalendarDateBrand> => {
    if (s.length !== 10 || s[4] !== '-' || s[7] !== '-') return false;
    const year = digitsAt(s, 0, 4);
    const month = digitsAt(s, 5, 2);
    const day = digitsAt(s, 8, 2);
    return year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
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
