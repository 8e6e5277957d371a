import { describe, expect, it } from 'vitest';
import { cachedFor, createMetrics, watchProjectorLag, watchRelayLag } from './metrics.js';

describe('cachedFor', () => {
  it('loads at most once per period, sharing the answer between concurrent callers', async () => {
    let now = 0;
    let loads = 0;
    const get = cachedFor(1_000, () => Promise.resolve(++loads), () => now);
    expect(await Promise.all([get(), get()])).toEqual([1, 1]);
    now = 999;
    expect(await get()).toBe(1);
    now = 1_000;
    expect(await get()).toBe(2);
  });

  it('does not keep a failure', async () => {
    let fail = true;
    const get = cachedFor(60_000, () => (fail ? Promise.reject(new Error('down')) : Promise.resolve('up')));
    await expect(get()).rejects.toThrow('down');
    fail = false;
    expect(await get()).toBe('up');
  });
});

describe('lag gauges', () => {
  it('are computed when scraped, and show no stale value when their source fails', async () => {
    const metrics = createMetrics();
    let relayDown = false;
    let kafkaDown = false;
    const errors: unknown[] = [];
    watchRelayLag(metrics, () => (relayDown ? Promise.reject(new Error('mysql down')) : Promise.resolve({ positions: 4, seconds: 1.5 })), (e) => errors.push(e));
    watchProjectorLag(
      metrics,
      () => (kafkaDown ? Promise.reject(new Error('kafka down')) : Promise.resolve([{ projection: 'feeds', partition: 2, lag: 7 }])),
      (e) => errors.push(e),
    );
    const text = await metrics.registry.metrics();
    expect(text).toContain('sleepsocial_relay_lag_positions 4');
    expect(text).toContain('sleepsocial_relay_lag_seconds 1.5');
    expect(text).toContain('sleepsocial_projector_lag_messages{projection="feeds",partition="2"} 7');

    relayDown = true;
    kafkaDown = true;
    await new Promise((r) => setTimeout(r, 1_010)); // past the relay sample's one-second cache
    const failed = await metrics.registry.metrics();
    // NaN (prom-client writes `Nan`; Prometheus parses either case): a gap in graphs, never a stale number.
    expect(failed).toMatch(/^sleepsocial_relay_lag_positions nan$/im);
    expect(failed).not.toContain('sleepsocial_projector_lag_messages{');
    expect(errors.map(String)).toEqual(expect.arrayContaining(['Error: mysql down', 'Error: kafka down']));
  });
});
