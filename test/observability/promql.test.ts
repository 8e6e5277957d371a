import { describe, expect, it } from 'vitest';
import { exprsOf, isExported, metricNamesOf } from './promql.js';

describe('metricNamesOf', () => {
  it.each([
    ['histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket[5m])))', ['http_request_duration_seconds_bucket']],
    ['sum by (command, outcome) (rate(sleepsocial_commands_total{outcome!~"ok|unchanged"}[5m]))', ['sleepsocial_commands_total']],
    ['max(sum by (projection) (max by (projection, partition) (lag_messages)))', ['lag_messages']],
    ['sum(rate(a_total[5m])) / ignoring(x) sum(rate(b_total[5m] offset 1h)) > bool 1e3', ['a_total', 'b_total']],
    ['sum(x) without (instance) and on(job) up{job="sleep by (x)"}', ['x', 'up']],
  ])('%s', (expr, names) => {
    expect(metricNamesOf(expr)).toEqual(names);
  });
});

describe('exprsOf', () => {
  it('finds queries in nested panels', () => {
    expect(exprsOf({ panels: [{ targets: [{ expr: 'a' }] }, { type: 'row', panels: [{ targets: [{ expr: 'b' }, { refId: 'C' }] }] }] })).toEqual(['a', 'b']);
  });
});

describe('isExported', () => {
  const families = new Map([
    ['req_seconds', 'histogram'],
    ['jobs_total', 'counter'],
  ]);
  it('accepts families and the series of histograms, nothing else', () => {
    expect(['req_seconds_bucket', 'req_seconds_count', 'req_seconds_sum', 'jobs_total'].every((n) => isExported(n, families))).toBe(true);
    expect(['jobs_total_count', 'req_second_bucket', 'jobs'].some((n) => isExported(n, families))).toBe(false);
  });
});
