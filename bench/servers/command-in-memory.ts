import { lruStreamCache } from '../../command-side/user-stream/stream.js';
import { commandRoutes } from '../../command-side/routes.js';
import { createTokenService } from '../../shared/auth/tokens.js';
import { buildHttpApp } from '../../shared/http/app.js';
import { randomIds, systemClock } from '../../shared/ids.js';
import { appendTo, benchUserId, registered } from '../fixtures.js';
import { memoryEventStore } from '../memory-store.js';
import { BENCH_TOKENS } from './settings.js';

/**
 * S1's app under test: the real command routes (auth, decoding, decide, append) on the in-memory
 * store, with BENCH_USERS users already registered. Listens on BENCH_PORT.
 */
const port = Number(process.env.BENCH_PORT ?? '0');
const users = Number(process.env.BENCH_USERS ?? '1000');
const run = process.env.BENCH_RUN ?? 'bench';

const store = memoryEventStore();
for (let i = 0; i < users; i++) {
  const userId = benchUserId(run, i);
  await appendTo(store, userId, [registered(userId, i)], 'no_stream');
}
const app = buildHttpApp({ readiness: [] });
// As the launcher builds it (less the MySQL-backed idempotency store), with the same state cache.
commandRoutes({ store, clock: systemClock, ids: randomIds, tokens: createTokenService(BENCH_TOKENS, systemClock), streamCache: lruStreamCache(2_000) })(app);
await app.listen({ port, host: '127.0.0.1' });
console.log(`BENCH_READY ${port}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void app.close().then(() => process.exit(0)));
