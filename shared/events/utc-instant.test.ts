import { describe, expect, it } from 'vitest';
import { UtcInstant } from './index.js';

/** The check UtcInstant made before it read digits itself: the ISO form, then Date.parse. */
const byDateParse = (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(s) && !Number.isNaN(Date.parse(s));

describe('UtcInstant', () => {
  it('accepts what toISOString writes', () => {
    for (const ms of [0, 1, Date.parse('2026-11-21T18:00:00.123Z'), Date.parse('2028-02-29T23:59:59.999Z'), -62_167_219_200_000]) {
      const s = new Date(ms).toISOString();
      expect(UtcInstant.is(s), s).toBe(true);
    }
  });

  it('agrees with Date.parse on every field at and around its limits, so stored instants still read back', () => {
    const two = (n: number) => String(n).padStart(2, '0');
    const cases: string[] = [];
    for (const year of ['0000', '1900', '2000', '2026', '9999'])
      for (const month of [0, 1, 2, 4, 12, 13])
        for (const day of [0, 1, 28, 29, 30, 31, 32])
          for (const time of ['00:00:00.000', '23:59:59.999', '24:00:00.000', '24:00:00.001', '24:01:00.000', '12:60:00.000', '12:00:60.000', '25:00:00.000'])
            cases.push(`${year}-${two(month)}-${two(day)}T${time}Z`);
    let accepted = 0;
    for (const s of cases) {
      expect(UtcInstant.is(s), s).toBe(byDateParse(s));
      if (byDateParse(s)) accepted++;
    }
    // Both sides of the line are covered.
    expect(accepted).toBeGreaterThan(100);
    expect(cases.length - accepted).toBeGreaterThan(100);
  });

  it('refuses other forms without throwing', () => {
    for (const bad of ['2026-11-21T18:00:00Z', '2026-11-21T18:00:00.000+01:00', '2026-11-21 18:00:00.000Z', '2026-11-21T18:00:00.000z', '2026-1a-21T18:00:00.000Z', '+2026-11-21T18:00:00.000Z', ' 2026-11-21T18:00:00.000Z', '', 'x'.repeat(24)]) {
      expect(UtcInstant.is(bad), bad).toBe(false);
    }
    expect(UtcInstant.is(42)).toBe(false);
    expect(UtcInstant.is(null)).toBe(false);
  });
});
