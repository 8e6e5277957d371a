import autocannon from 'autocannon';
import { cpuSeconds } from './processes.js';

export type LoadSpec = {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly connections: number;
  readonly durationMs: number;
  /** Requests per second over all connections; without it, as fast as the server answers. */
  readonly overallRate?: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Varies each request (user, token, interval); called once per request sent. */
  readonly next?: () => { readonly path?: string; readonly headers?: Record<string, string>; readonly body?: string };
  /**
   * A fixed set of requests each connection cycles through (one per reader's token, say). Unlike
   * `next`, autocannon builds each one once, so the load generator spends per request what it
   * spends on a baseline's single fixed request: on a shared two-core machine, what it spends is
   * taken from the server under test.
   */
  readonly variants?: readonly { readonly headers: Record<string, string> }[];
};

export type LoadResult = {
  /** 2xx answers per second. */
  readonly rps: number;
  readonly ok: number;
  readonly failed: number;
  readonly p50: number;
  readonly p99: number;
};

/**
 * One autocannon run over loopback. Only 2xx answers count as throughput; anything else is a
 * failure the caller reports (a benchmark of error pages would flatter the app).
 */
export const runLoad = (spec: LoadSpec): Promise<LoadResult> =>
  new Promise((resolve, reject) => {
    const next = spec.next;
    const headersWith = (extra?: Record<string, string>) => (spec.headers || extra ? { headers: { ...spec.headers, ...extra } } : {});
    autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: spec.durationMs / 1000,
        ...(spec.overallRate === undefined ? {} : { overallRate: spec.overallRate }),
        requests: (spec.variants ?? [undefined]).map((variant) => ({
            method: spec.method,
            ...headersWith(variant?.headers),
            ...(spec.body === undefined ? {} : { body: spec.body }),
            ...(next
              ? {
                  setupRequest: (request: autocannon.Request) => {
                    const n = next();
                    return { ...request, ...(n.path ? { path: n.path } : {}), headers: { ...request.headers, ...n.headers }, ...(n.body === undefined ? {} : { body: n.body }) };
                  },
                }
              : {}),
        })),
      },
      (error: Error | null, result: autocannon.Result) => {
        if (error) return reject(error);
        const ok = result['2xx'];
        resolve({ rps: ok / result.duration, ok, failed: result.non2xx + result.errors, p50: result.latency.p50, p99: result.latency.p99 });
      },
    );
  });

/**
 * Server CPU per answered request, summed per key (a side's label) over the load runs it wraps:
 * on a shared machine it moves much less than requests per second.
 */
export const cpuMeter = () => {
  const sums = new Map<string, { seconds: number; requests: number }>();
  return {
    run: async (key: string, pid: number, load: () => Promise<LoadResult>): Promise<LoadResult> => {
      const before = cpuSeconds(pid);
      const r = await load();
      const after = cpuSeconds(pid);
      const sum = sums.get(key) ?? { seconds: 0, requests: 0 };
      if (before !== undefined && after !== undefined) sums.set(key, { seconds: sum.seconds + after - before, requests: sum.requests + r.ok });
      return r;
    },
    /** µs per request, NaN when nothing was measured (not Linux, or no answers). */
    micros: (key: string): number => {
      const sum = sums.get(key);
      return sum && sum.requests > 0 ? (sum.seconds / sum.requests) * 1e6 : Number.NaN;
    },
  };
};
