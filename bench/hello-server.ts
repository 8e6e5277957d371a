import Fastify from 'fastify';

/**
 * The baseline server: Fastify's hello world, GET and POST (the POST parses a JSON body of the
 * same size as a sleep log's). Same Fastify, same Node, same tsx loader as the app under test.
 */
const port = Number(process.env.BENCH_PORT ?? '0');
const app = Fastify({ logger: false });
app.get('/hello', () => ({ hello: 'world' }));
app.post('/hello', (_request, reply) => reply.code(201).send({ hello: 'world' }));
await app.listen({ port, host: '127.0.0.1' });
console.log(`BENCH_READY ${port}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void app.close().then(() => process.exit(0)));
