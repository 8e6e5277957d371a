import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { eventually } from '../../shared/testing/environment.js';

/** Every JSON line a pino logger writes, kept in memory: a log destination the test controls. */
export const captureLog = () => {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const text = () => chunks.join('');
  const lines = (): Record<string, unknown>[] =>
    text()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { stream, text, lines };
};

export { startSystem, type Running } from '../system.js';

export const PASSWORD = 'correct horse battery staple 42';

export const register = async (app: FastifyInstance, handle: string, headers: Record<string, string> = {}) => {
  const res = await app.inject({ method: 'POST', url: '/v1/users', headers, payload: { handle, displayName: handle, timezone: 'Europe/Berlin', password: PASSWORD } });
  if (res.statusCode !== 201) throw new Error(`register ${handle}: ${res.statusCode} ${res.body}`);
  return res.json<{ userId: string; token: string; position: number }>();
};

export const logSleep = async (app: FastifyInstance, token: string, night: { startedAt: string; endedAt: string }, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/v1/sleep-logs', headers: { authorization: `Bearer ${token}`, ...headers }, payload: night });

/** Waits until every projection has committed everything on user-events and the relay is caught up. */
export const caughtUp = (app: FastifyInstance) =>
  eventually(async () => {
    const view = (await app.inject({ method: 'GET', url: '/v1/system' })).json<{
      storeHead: number;
      relayLag: { positions: number };
      projections: { lag: number }[];
    }>();
    return view.relayLag.positions === 0 && view.projections.every((p) => p.lag === 0) ? view : undefined;
  });

/** `GET /metrics` as text. */
export const scrape = async (app: FastifyInstance): Promise<string> => {
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  if (res.statusCode !== 200) throw new Error(`/metrics answered ${res.statusCode}: ${res.body}`);
  return res.body;
};

/** Samples of the Prometheus text format: metric name, labels, value. */
export const samples = (text: string) =>
  text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(l);
      if (!m) throw new Error(`not a sample line: ${l}`);
      const labels: Record<string, string> = {};
      for (const x of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[x[1] ?? ''] = x[2] ?? '';
      return { name: m[1] ?? '', labels, value: Number(m[3]) };
    });

/** The value of one sample (labels matched exactly), or undefined when absent. */
export const valueOf = (text: string, name: string, labels: Record<string, string> = {}): number | undefined =>
  samples(text).find((s) => s.name === name && Object.keys(labels).length === Object.keys(s.labels).length && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;

/** Metric families the text declares (`# TYPE name type`). */
export const families = (text: string): Map<string, string> =>
  new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']));
