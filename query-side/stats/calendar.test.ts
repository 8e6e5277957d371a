import { describe, expect, it } from 'vitest';
import { addDays, dateIn, periodRange } from './calendar.js';

describe('stats calendar', () => {
  it('finds today in the user’s time zone', () => {
    const instant = Date.parse('2026-11-20T23:30:00Z');
    expect(dateIn(instant, 'UTC')).toBe('2026-11-20');
    expect(dateIn(instant, 'Europe/Berlin')).toBe('2026-11-21');
    expect(dateIn(instant, 'America/Los_Angeles')).toBe('2026-11-20');
  });

  it('covers the ISO week, Monday to Sunday, across a month and a year', () => {
    expect(periodRange('week', '2026-11-20')).toEqual({ name: '2026-W47', from: '2026-11-16', to: '2026-11-22' });
    expect(periodRange('week', '2026-11-16')).toEqual({ name: '2026-W47', from: '2026-11-16', to: '2026-11-22' });
    expect(periodRange('week', '2026-11-22')).toEqual({ name: '2026-W47', from: '2026-11-16', to: '2026-11-22' });
    expect(periodRange('week', '2027-01-01')).toEqual({ name: '2026-W53', from: '2026-12-28', to: '2027-01-03' });
  });

  it('covers the calendar month, and nothing bounds all', () => {
    expect(periodRange('month', '2028-02-10')).toEqual({ name: '2028-02', from: '2028-02-01', to: '2028-02-29' });
    expect(periodRange('month', '2026-12-31')).toEqual({ name: '2026-12', from: '2026-12-01', to: '2026-12-31' });
    expect(periodRange('all', '2026-12-31')).toBeNull();
  });

  it('adds days across month ends', () => {
    expect(addDays('2026-11-30', 1)).toBe('2026-12-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});
