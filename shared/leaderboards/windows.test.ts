import { describe, expect, it } from 'vitest';
import { isoWeek, windowEnd, windowOf } from './windows.js';

describe('leaderboard windows', () => {
  it('numbers ISO weeks, including the ones that straddle a new year', () => {
    expect(isoWeek('2026-11-21')).toBe('2026-W47');
    expect(isoWeek('2026-01-01')).toBe('2026-W01'); // a Thursday
    expect(isoWeek('2027-01-01')).toBe('2026-W53'); // a Friday: still the last week of 2026
    expect(isoWeek('2024-12-30')).toBe('2025-W01'); // a Monday in the first week of 2025
    expect(isoWeek('2021-01-03')).toBe('2020-W53');
  });

  it('names day, week and month windows', () => {
    expect(windowOf('day', '2026-11-21')).toBe('2026-11-21');
    expect(windowOf('week', '2026-11-21')).toBe('2026-W47');
    expect(windowOf('month', '2026-11-21')).toBe('2026-11');
  });

  it('ends windows at the start of the next one', () => {
    expect(windowEnd('day', '2026-11-21').toISOString()).toBe('2026-11-22T00:00:00.000Z');
    expect(windowEnd('week', '2026-11-21').toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(windowEnd('month', '2026-12-05').toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });
});
