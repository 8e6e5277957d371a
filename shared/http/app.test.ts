import { describe, expect, it } from 'vitest';
import { buildHttpApp } from './app.js';

describe('HTTP shell', () => {
  it('sheds load with 503, Retry-After and a problem when the event loop is blocked', async () => {
    const app = buildHttpApp({ readiness: [], maxEventLoopDelayMs: 50, pressureSampleIntervalMs: 20 });
    await app.ready();
    // Block the event loop well past the threshold, then ask at once. The delay is a mean over the
    // sampling interval, kept short here so the block dominates it; overdue timers (the sampler)
    // run before the check phase, so after one setImmediate the block has been sampled. A worker
    // descheduled on a loaded machine can still let the next sample average it away: up to three tries.
    const blockedThenAsk = async () => {
      const until = Date.now() + 1_000;
      while (Date.now() < until) {
        /* busy */
      }
      await new Promise((r) => setImmediate(r));
      return app.inject({ method: 'GET', url: '/healthz' });
    };
    let res = await blockedThenAsk();
    for (let attempt = 2; attempt <= 3 && res.statusCode !== 503; attempt++) res = await blockedThenAsk();
    await app.close();
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.json()).toMatchObject({ code: 'OVERLOADED' });
  });

  it('answers unknown routes and readiness failures as problems', async () => {
    const app = buildHttpApp({ readiness: [{ name: 'broken', check: () => Promise.reject(new Error('down')) }] });
    const missing = await app.inject({ method: 'GET', url: '/nowhere' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', detail: 'Not ready: broken (down)' });
    await app.close();
  });
});
