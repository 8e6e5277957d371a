import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestDurations } from './request-durations.js';

const NAME = 'http_request_duration_seconds';
const HELP = 'Requests.';
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The same observations into ours and into prom-client's own histogram, which is the oracle. */
const both = () => {
  const ours = new Registry();
  const theirs = new Registry();
  const durations = new RequestDurations({ name: NAME, help: HELP, buckets: BUCKETS, registry: ours });
  const histogram = new Histogram({ name: NAME, help: HELP, labelNames: ['method', 'route', 'status_code'], buckets: BUCKETS, registers: [theirs] });
  const record = (method: string, route: string, status: number, seconds: number) => {
    durations.record(method, route, status, seconds);
    histogram.observe({ method, route, status_code: String(status) }, seconds);
  };
  return { ours, theirs, durations, histogram, record };
};

describe('request durations', () => {
  it('expose exactly what a prom-client histogram exposes for the same requests', async () => {
    const { ours, theirs, record } = both();
    // On a bound, between bounds, below the first, past the last; several series sharing parts.
    const seconds = [0, 0.005, 0.0051, 0.03, 0.25, 0.7, 9.99, 10, 10.5, 42];
    seconds.forEach((s, i) => record(i % 2 ? 'GET' : 'POST', i % 3 ? '/v1/feed' : '/v1/users/:userId', i % 4 ? 200 : 404, s));
    for (let i = 0; i < 100; i++) record('GET', '/v1/leaderboards/global', 200, i / 1000);
    const text = await ours.metrics();
    expect(text).toContain(`${NAME}_bucket{le="0.005",method="GET",route="/v1/leaderboards/global",status_code="200"} 6`);
    expect(text).toContain(`${NAME}_count{method="GET",route="/v1/leaderboards/global",status_code="200"} 100`);
    expect(text.split('\n').sort()).toEqual((await theirs.metrics()).split('\n').sort());
  });

  it('start again from nothing when the registry is reset', async () => {
    const { ours, theirs, record } = both();
    record('GET', '/v1/feed', 200, 0.002);
    ours.resetMetrics();
    theirs.resetMetrics();
    record('GET', '/v1/feed', 500, 0.2);
    const text = await ours.metrics();
    expect(text).not.toContain('status_code="200"');
    expect(text.split('\n').sort()).toEqual((await theirs.metrics()).split('\n').sort());
  });

  it('read as JSON as the rest of the registry does', async () => {
    const { ours, record } = both();
    record('GET', '/v1/feed', 200, 0.002);
    const [family] = await ours.getMetricsAsJSON();
    expect(family).toMatchObject({ name: NAME, type: 'histogram' });
    expect(family?.values).toContainEqual({ labels: { method: 'GET', route: '/v1/feed', status_code: '200' }, value: 1, metricName: `${NAME}_count` });
  });
});
