import { CalendarDate } from './index.js';
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';

describe('CalendarDate', () => {
  it('accepts real calendar dates', () => {
    expect(CalendarDate.decode('2026-11-20')).toEqual(E.right('2026-11-20'));
    expect(CalendarDate.decode('2028-02-29')).toEqual(E.right('2028-02-29'));
    expect(CalendarDate.decode('2000-02-29')).toEqual(E.right('2000-02-29'));
    expect(CalendarDate.decode('2026-12-31')).toEqual(E.right('2026-12-31'));
  });

  it('agrees with the calendar of Date on every day of four years, leap rules included', () => {
    for (const year of [1900, 2000, 2026, 2028]) {
      for (let month = 1; month <= 12; month++) {
        for (let day = 1; day <= 32; day++) {
          const s = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          const real = new Date(Date.UTC(year, month - 1, day)).toISOString().startsWith(s);
          expect(CalendarDate.is(s), s).toBe(real);
        }
      }
    }
  });

  it('refuses impossible or malformed ones without throwing', () => {
    for (const bad of ['2026-13-01', '2026-00-10', '2026-02-30', '2026-02-29', '1900-02-29', '2026-04-31', '2026-11-00', '2026-11-32', '2026-1-01', '2026-11-20 ', 'today', '', 42, null]) {
      expect(E.isLeft(CalendarDate.decode(bad)), String(bad)).toBe(true);
    }
  });
});
