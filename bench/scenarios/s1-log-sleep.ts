import { randomBytes } from 'node:crypto';
import { createTokenService } from '../../shared/auth/tokens.js';
import { benchUserId, sleepLogRequests, tokensFor } from '../fixtures.js';
import { throughputs, withCleanup, type Context, type Row, type Scenario } from '../harness.js';
import { cpuMeter, runLoad, type LoadResult } from '../load.js';
import { freePort, startChild } from '../processes.js';
import { BENCH_TOKENS } from '../servers/settings.js';

const CONNECTIONS = 16;

/** Only 2xx count; a run with failures is reported, since it would flatter or slander the app. */
export const okRate = (label: string, failures: { count: number }) => (r: LoadResult) => {
  failures.count += r.failed;
  if (r.ok === 0) throw new Error(`${label}: no 2xx answer in a round (${r.failed} failed)`);
  return r.rps;
};

const run = (ctx: Context): Promise<Row[]> =>
  withCleanup(async (defer) => {
    const users = ctx.mode === 'quick' ? 2_000 : 5_000;
    const runId = randomBytes(4).toString('hex');
    const [appPort, helloPort] = await Promise.all([freePort(), freePort()]);
    const app = await startChild({
      name: 'S1 command API (in-memory store)',
      script: 'bench/servers/command-in-memory.ts',
      port: appPort,
      env: { BENCH_PORT: String(appPort), BENCH_USERS: String(users), BENCH_RUN: runId },
    });
    defer(() => app.stop());
    const hello = await startChild({ name: 'hello world', script: 'bench/hello-server.ts', port: helloPort, env: { BENCH_PORT: String(helloPort) } });
    defer(() => hello.stop());

    const tokens = await tokensFor(createTokenService(BENCH_TOKENS), Array.from({ length: users }, (_, i) => benchUserId(runId, i)));
    const next = sleepLogRequests(tokens);
    // The baseline gets a request of the same shape and size: same headers, same body length.
    const sample = next();
    const appFailures = { count: 0 };
    const helloFailures = { count: 0 };
    ctx.log(`${users} users, ${CONNECTIONS} connections, app pid ${app.pid}, hello pid ${hello.pid}`);
    const cpu = cpuMeter();
    const [ours, baseline] = await throughputs(
      [
        {
          label: 'POST /v1/sleep-logs',
          round: (ms) =>
            cpu.run('app', app.pid, () => runLoad({ url: `${app.url}/v1/sleep-logs`, method: 'POST', connections: CONNECTIONS, durationMs: ms, next })).then(okRate('S1 app', appFailures)),
        },
        {
          label: 'hello POST',
          round: (ms) =>
            cpu.run('hello', hello.pid, () =>
              runLoad({ url: `${hello.url}/hello`, method: 'POST', connections: CONNECTIONS, durationMs: ms, headers: sample.headers, body: sample.body }),
            ).then(okRate('S1 hello', helloFailures)),
        },
      ],
      ctx.budget,
      ctx.log,
    );
    const failed = appFailures.count + helloFailures.count;
    return [
      {
        scenario: 'S1',
        metric: `POST /v1/sleep-logs, in-memory store, vs hello POST (c=${CONNECTIONS})`,
        unit: 'req/s',
        a: ours,
        b: baseline,
        goal: { kind: 'ratio-at-least', value: 0.6 },
        ...(failed > 0 ? { note: `${appFailures.count} app / ${helloFailures.count} hello non-2xx` } : {}),
      },
      { scenario: 'S1', metric: 'server CPU per request (vs hello POST), during the rounds', unit: 'µs', a: cpu.micros('app'), b: cpu.micros('hello') },
    ];
  });

export const s1: Scenario = { id: 'S1', title: 'log sleep over HTTP (in-memory store) vs Fastify hello world', run };
