import { get as httpGet, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { System } from '../../launcher/system.js';
import type { Config } from '../../shared/config/index.js';
import { liveLeaderboardRoute } from '../../query-side/leaderboards/live.js';
import { errorPaths, eventuallyRead, expectProblem, get, logNight, queryApp, register, startSystem, type Caller } from './support.js';

// The live leaderboard over real HTTP: a fetch-based SSE client against a listening server,
// with the board changed by a sleep log that goes through the whole pipeline.
let config: Config;
let system: System;
let stop: () => Promise<void>;
let early: Caller;
let late: Caller;
let base: string;
const DAY = '2026-11-06';

type Entry = { rank: number; user: { id: string; handle: string | null }; score: number };
type Message = { event?: string; data?: string; comment?: string };

type Board = { period: string; window: string; entries: Entry[] };

/** Server-sent events from a source of text chunks (undefined once the stream ended). */
const sseReader = (readChunk: () => Promise<string | undefined>) => {
  let buffer = '';
  let ended = false;
  /** The next message (comments included), or undefined once the server ended the stream. */
  const next = async (timeoutMs = 10_000): Promise<Message | undefined> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const message: Message = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) message.comment = line.slice(1).trim();
          else if (line.startsWith('event: ')) message.event = line.slice(7);
          else if (line.startsWith('data: ')) message.data = line.slice(6);
        }
        return message;
      }
      if (ended) return undefined;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no message in time')), Math.max(0, deadline - Date.now()))));
      try {
        const chunk = await Promise.race([readChunk(), timeout]);
        if (chunk === undefined) ended = true;
        else buffer += chunk;
      } finally {
        clearTimeout(timer);
      }
    }
  };
  /** The next `event: leaderboard`, skipping heartbeats. */
  const nextBoard = async (timeoutMs = 10_000): Promise<Board> => {
    for (;;) {
      const m = await next(timeoutMs);
      if (!m) throw new Error('stream ended');
      if (m.event === 'leaderboard' && m.data) return JSON.parse(m.data) as Board;
    }
  };
  return { next, nextBoard };
};

/** An EventSource over fetch, read with the body's reader. */
const fetchStream = async (url: string, token?: string) => {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) }, signal: abort.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const events = sseReader(async () => {
    const chunk = await reader.read();
    return chunk.done ? undefined : decoder.decode(chunk.value, { stream: true });
  });
  return { res, ...events, close: () => abort.abort() };
};

/**
 * The same over node:http. undici (behind fetch) opens a spare connection after an abort, and a
 * connection that never sent a request holds a server's close up until the client drops it; the
 * tests that time the close use this client, which does not.
 */
const httpStream = async (url: string, token: string) => {
  const res = await new Promise<IncomingMessage>((resolve, reject) =>
    httpGet(url, { headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` }, agent: false }, resolve).on('error', reject),
  );
  const chunks = res.setEncoding('utf8')[Symbol.asyncIterator]() as AsyncIterator<string>;
  const events = sseReader(async () => {
    const chunk = await chunks.next();
    return chunk.done ? undefined : chunk.value;
  });
  return { res, ...events, close: () => res.destroy() };
};

beforeAll(async () => {
  ({ config, system, stop } = await startSystem('query_live'));
  early = await register(system.app, 'early_bird');
  late = await register(system.app, 'late_riser');
  await logNight(system.app, early, `${DAY}T06:00:00Z`, 480);
  await eventuallyRead<{ entries: Entry[] }>(system.app, `/v1/leaderboards/global?period=day&date=${DAY}`, early, (b) => b.entries[0]?.user.handle === 'early_bird');
  await eventuallyRead(system.app, `/v1/users/${late.userId}`, early, () => true); // names come from MySQL
  await system.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(system.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await stop?.();
});

describe('GET /v1/leaderboards/global/live', () => {
  it('streams the board at once, then again when a new night changes its top', async () => {
    const stream = await fetchStream(`${base}/v1/leaderboards/global/live?period=day&date=${DAY}&top=5`, early.token);
    try {
      expect(stream.res.status).toBe(200);
      expect(stream.res.headers.get('content-type')).toContain('text/event-stream');
      expect(stream.res.headers.get('cache-control')).toContain('no-cache');
      const first = await stream.nextBoard();
      expect(first).toEqual({ period: 'day', window: DAY, entries: [{ rank: 1, user: { id: early.userId, handle: 'early_bird', displayName: 'early_bird' }, score: 480 }] });

      await logNight(system.app, late, `${DAY}T09:00:00Z`, 500);
      const update = await stream.nextBoard(20_000);
      expect(update.entries.map((e) => [e.rank, e.user.handle, e.score])).toEqual([
        [1, 'late_riser', 500],
        [2, 'early_bird', 480],
      ]);
    } finally {
      stream.close();
    }
  });

  it('requires a token and valid parameters, before any stream opens', async () => {
    expectProblem(await get(system.app, `/v1/leaderboards/global/live?period=day`), 401, 'UNAUTHENTICATED');
    const unauthenticated = await fetch(`${base}/v1/leaderboards/global/live?period=day`, { headers: { accept: 'text/event-stream' } });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('content-type')).toContain('application/problem+json');
    expect(await unauthenticated.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    const bad = await get(system.app, `/v1/leaderboards/global/live?period=hour&top=ten`, early);
    expectProblem(bad, 422, 'VALIDATION_FAILED');
    expect(errorPaths(bad).sort()).toEqual(['/period', '/top']);
  });

  it('shares one poller per board, sends heartbeats, stops polling when clients leave, and ends streams on close', async () => {
    // A query API of its own, with a short interval and heartbeat, counting the board reads.
    let reads = 0;
    const redis = new Redis(config.REDIS_URL);
    const counting = new Proxy(redis, {
      get: (target, prop, receiver): unknown => {
        if (prop === 'zrevrange') reads++;
        return Reflect.get(target, prop, receiver);
      },
    });
    const live = queryApp(config, { redis: counting }, (deps) => (app) => liveLeaderboardRoute(deps, { intervalMs: 50, heartbeatMs: 100 })(app));
    await live.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(live.app.server.address() as AddressInfo).port}/v1/leaderboards/global/live?period=day&date=${DAY}&top=1`;
    let closed = false;
    try {
      const a = await httpStream(url, early.token);
      const b = await httpStream(url.replace('top=1', 'top=3'), late.token);
      expect((await a.nextBoard()).entries).toHaveLength(1);
      expect((await b.nextBoard()).entries).toHaveLength(2);
      expect(await a.next()).toEqual({ comment: 'heartbeat' }); // nothing changed: only heartbeats

      const before = reads;
      await new Promise((r) => setTimeout(r, 1_000));
      const perSecond = reads - before;
      expect(perSecond).toBeGreaterThanOrEqual(5);
      expect(perSecond).toBeLessThanOrEqual(25); // one poller at 50 ms, not one per client (≈ 40)

      a.close();
      b.close();
      await new Promise((r) => setTimeout(r, 300));
      const idle = reads;
      await new Promise((r) => setTimeout(r, 500));
      expect(reads).toBe(idle);

      // Closing the app ends open streams rather than waiting for their clients.
      const c = await httpStream(url, early.token);
      await c.nextBoard();

      const closing = Date.now();
      await live.close();
      closed = true;
      expect(Date.now() - closing).toBeLessThan(3_000);
      for (let m = await c.next(); m; m = await c.next()) expect(m.event === 'leaderboard' || m.comment === 'heartbeat').toBe(true);
    } finally {
      if (!closed) await live.close();
    }
  });
});
