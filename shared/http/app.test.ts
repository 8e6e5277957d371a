import { describe, expect, it } from 'vitest';
import { buildHttpApp } from './app.js';

describe('HTTP shell', () => {
  it('sheds load with 503, Retry-After and a problem when the event loop is blocked', async () => {
    const app = buildHttpApp({ readiness: [], maxEventLoopDelayMs: 50 });
    await app.ready();
    // Block the event loop well past the threshold; under-pressure's overdue sampling timer then
    // records the delay as soon as the loop is free again.
    const until = Date.now() + 1_500;
    while (Date.now() < until) {
      /* busy */
    }
    await new Promise((r) => setTimeout(r, 50));
    const res = await app.inject({ method: 'GET', url: '/healthz' });
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
