import { CalendarDate } from './index.js';
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';

describe('CalendarDate', () => {
  it('accepts real calendar dates', () => {
    expect(CalendarDate.decode('2026-11-20')).toEqual(E.right('2026-11-20'));
    expect(CalendarDate.decode('2028-02-29')).toEqual(E.right('2028-02-29'));
  });

  it('refuses impossible or malformed ones without throwing', () => {
    for (const bad of ['2026-13-01', '2026-00-10', '2026-02-30', '2026-11-32', '2026-1-01', 'today', '', 42, null]) {
      expect(E.isLeft(CalendarDate.decode(bad)), String(bad)).toBe(true);
    }
  });
});
