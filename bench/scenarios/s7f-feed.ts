import { randomBytes } from 'node:crypto';
import { createTokenService } from '../../shared/auth/tokens.js';
import { createMysqlEventStore } from '../../shared/event-store/mysql/store.js';
import type { UserId } from '../../shared/events/index.js';
import { createKafka } from '../../shared/kafka/client.js';
import { mysqlCheckpoint } from '../../command-side/relay/checkpoint.js';
import { waitDrained } from '../../test/pipeline-support.js';
import { appendTo, benchUserId, inParallel, registered, sleepLogRequests, tokensFor } from '../fixtures.js';
import { percentile, withCleanup, type Context, type Row, type Scenario } from '../harness.js';
import { isolated, poolOf } from '../isolated.js';
import { runLoad } from '../load.js';
import { freePort, startChild } from '../processes.js';
import { envOf } from './s6-leaderboard.js';
import { APP_NODE_ARGS } from '../../launcher/node-args.js';

/** The stated load: background sleep logs per second, plus the probes. */
const BACKGROUND_PER_SECOND = 100;
const PROBES_PER_SECOND = 10;
const POLL_MS = 5;
const PROBE_TIMEOUT_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Command → visible in a follower's home feed, through the whole all-in-one process (API, store,
 * relay, Kafka, feed projector, read API). Each probe is an author with one follower: the author
 * logs a night and the follower polls GET /v1/feed until that log is the newest item. No baseline
 * (the issue asks for the figures at a stated load), so the rows are information.
 */
const run = (ctx: Context): Promise<Row[]> =>
  withCleanup(async (defer) => {
    const seconds = (ctx.budget.warmupMs + ctx.budget.rounds * ctx.budget.roundMs) / 1000;
    const config = await isolated('s7f', defer);
    const pool = poolOf(config, 16, defer);
    const store = createMysqlEventStore(pool);
    const runId = randomBytes(4).toString('hex');
    const background = Array.from({ length: 500 }, (_, i) => benchUserId(`${runId}-bg`, i));
    const probes = Math.ceil(PROBES_PER_SECOND * seconds) + 10;
    const authors = Array.from({ length: probes }, (_, i) => benchUserId(`${runId}-author`, i));
    const followers = Array.from({ length: probes }, (_, i) => benchUserId(`${runId}-follower`, i));
    await inParallel([...background, ...authors, ...followers], 32, (userId: UserId, i) => appendTo(store, userId, [registered(userId, i)], 'no_stream'));
    await inParallel(followers, 32, (follower: UserId, i) =>
      appendTo(store, follower, [{ type: 'Followed', data: { userId: follower, followeeId: authors[i]! } }], 0),
    );
    ctx.log(`${background.length} background users, ${probes} author/follower pairs`);

    const port = await freePort();
    const system = await startChild({ name: 'all-in-one system', script: 'launcher/main.ts', nodeArgs: APP_NODE_ARGS, port, env: envOf(config, port), readyPath: '/readyz', timeoutMs: 120_000 });
    defer(() => system.stop());
    const admin = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'bench-s7f', topicPrefix: '' }).admin();
    await admin.connect();
    defer(() => admin.disconnect());
    await waitDrained(admin, config, store, () => mysqlCheckpoint(pool, 'user-events').read(), 120_000);

    const tokens = createTokenService({ secret: config.JWT_SECRET, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, ttlSeconds: 3_600 });
    const [backgroundTokens, authorTokens, followerTokens] = await Promise.all([tokensFor(tokens, background), tokensFor(tokens, authors), tokensFor(tokens, followers)]);
    const end = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
    const body = JSON.stringify({ startedAt: new Date(end - 7 * 3_600_000).toISOString(), endedAt: new Date(end).toISOString() });

    const probe = async (n: number): Promise<number> => {
      const started = performance.now();
      const res = await fetch(`${system.url}/v1/sleep-logs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${authorTokens[n] ?? ''}`, 'content-type': 'application/json' },
        body,
      });
      const { logId } = (await res.json()) as { logId?: string };
      if (res.status !== 201 || !logId) return PROBE_TIMEOUT_MS;
      while (performance.now() - started < PROBE_TIMEOUT_MS) {
        const feed = await fetch(`${system.url}/v1/feed?limit=1`, { headers: { authorization: `Bearer ${followerTokens[n] ?? ''}` } });
        const page = (await feed.json()) as { items?: { logId?: string }[] };
        if (page.items?.[0]?.logId === logId) return performance.now() - started;
        await sleep(POLL_MS);
      }
      return PROBE_TIMEOUT_MS;
    };

    ctx.log(`stated load: ${BACKGROUND_PER_SECOND} sleep logs/s in the background, ${PROBES_PER_SECOND} probes/s, for ${seconds.toFixed(0)} s`);
    const latencies: number[] = [];
    const probing = (async () => {
      const running: Promise<void>[] = [];
      for (let n = 0; n < probes - 10; n++) {
        running.push(probe(n).then((ms) => void latencies.push(ms)));
        await sleep(1000 / PROBES_PER_SECOND);
      }
      await Promise.all(running);
    })();
    const load = runLoad({
      url: `${system.url}/v1/sleep-logs`,
      method: 'POST',
      connections: 16,
      durationMs: seconds * 1000,
      overallRate: BACKGROUND_PER_SECOND,
      next: sleepLogRequests(backgroundTokens),
    });
    const [backgroundResult] = await Promise.all([load, probing]);
    const failed = latencies.filter((ms) => ms >= PROBE_TIMEOUT_MS).length;
    const note = `${latencies.length} probes (${failed} not visible in ${PROBE_TIMEOUT_MS / 1000} s); background achieved ${backgroundResult.rps.toFixed(0)}/s`;
    ctx.log(`S7F: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms; ${note}`);
    return [
      { scenario: 'S7F', metric: `command → visible in a follower's feed, p50, at ${BACKGROUND_PER_SECOND + PROBES_PER_SECOND}/s`, unit: 'ms', a: percentile(latencies, 50), note },
      { scenario: 'S7F', metric: `command → visible in a follower's feed, p99, at ${BACKGROUND_PER_SECOND + PROBES_PER_SECOND}/s`, unit: 'ms', a: percentile(latencies, 99) },
    ];
  });

export const s7f: Scenario = { id: 'S7F', title: "command → visible in a follower's home feed at a stated load", run };
